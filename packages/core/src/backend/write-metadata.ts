/**
 * backend/write-metadata owns carrying `WriteOptions.metadata` in HTTP headers (`x-goog-meta-`,
 * `x-oss-meta-`, `x-object-meta-`, …) and reading it back, the same way for every driver that keeps
 * metadata as headers. Names are lowercase letters, digits and `-`; values printable ASCII.
 */
import { InvalidUrlError } from '../errors/errors.js';

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const VALUE = /^[\x20-\x7e]{0,256}$/;

/** Checks names and values before any request (a typed error, never a request the service rejects). */
export function checkWriteMetadata(metadata: Readonly<Record<string, string>> | undefined): void {
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (!NAME.test(name) || !VALUE.test(value)) {
      throw new InvalidUrlError(`Write metadata ${JSON.stringify(name)} is invalid: names are lowercase letters, digits and "-"; values printable ASCII, at most 256 bytes`);
    }
  }
}

/** The headers that carry `metadata` under `prefix` (e.g. `x-oss-meta-`). */
export function metadataHeaders(metadata: Readonly<Record<string, string>> | undefined, prefix: string): Record<string, string> {
  checkWriteMetadata(metadata);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) out[`${prefix}${name}`] = value;
  return out;
}

/** The metadata carried by response headers under `prefix` (header names compared in lowercase); undefined when none. */
export function metadataFromHeaders(headers: Readonly<Record<string, string | string[] | undefined>> | Headers, prefix: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const lower = prefix.toLowerCase();
  const entries: Iterable<[string, string | string[] | undefined]> = typeof (headers as Headers).entries === 'function' && typeof (headers as Headers).get === 'function' ? (headers as Headers).entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    const n = name.toLowerCase();
    if (!n.startsWith(lower) || value === undefined) continue;
    out[n.slice(lower.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  return Object.keys(out).length ? out : undefined;
}
