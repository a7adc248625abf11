/**
 * What Cloud Storage reports about an object, as core's ObjectInfo: from an object resource (stat,
 * listings, uploads, rewrites) or from the headers of a download. The version token is the generation.
 * Hashes: md5 and crc32c as the service reports them (base64 there, lowercase hex here; composite objects
 * have no md5), and the SHA-256 that Statestore keeps in custom metadata when it wrote the bytes.
 */
import type { ObjectInfo } from '@statestore/core';
import { metadataFromHeaders } from '@statestore/core/driver-kit';

/** Custom metadata key holding the hex SHA-256 of the content, written with the object. */
export const SHA256_METADATA_KEY = 'statestore-sha256';

/** The fields of a JSON API object resource that we read. */
export interface GcsObjectResource {
  name?: string;
  size?: string | number;
  generation?: string | number;
  md5Hash?: string;
  crc32c?: string;
  updated?: string;
  contentType?: string;
  metadata?: Record<string, unknown> | null;
}

/** Response headers of a media download (lowercase names). */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

export function base64ToHex(value: string): string {
  return Buffer.from(value, 'base64').toString('hex');
}

function sha256From(value: unknown): string | undefined {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
}

function hashes(md5: string | undefined, crc32c: string | undefined, sha256: string | undefined): ObjectInfo['hashes'] {
  return {
    ...(md5 ? { md5: base64ToHex(md5) } : {}),
    ...(crc32c ? { crc32c: base64ToHex(crc32c) } : {}),
    ...(sha256 ? { sha256 } : {}),
  };
}

export function infoFromResource(key: string, resource: GcsObjectResource): ObjectInfo {
  return {
    key,
    size: Number(resource.size ?? 0),
    version: String(resource.generation ?? ''),
    ...(resource.updated ? { modified: new Date(resource.updated) } : {}),
    hashes: hashes(resource.md5Hash, resource.crc32c, sha256From(resource.metadata?.[SHA256_METADATA_KEY])),
    ...(resource.contentType ? { contentType: resource.contentType } : {}),
    ...metadataOf(resource.metadata),
  };
}

/** The custom metadata of a resource as write metadata (string values only). */
function metadataOf(metadata: Record<string, unknown> | null | undefined): { metadata?: Record<string, string> } {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) if (typeof value === 'string') out[name] = value;
  return Object.keys(out).length ? { metadata: out } : {};
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Info from a download's headers (x-goog-generation, x-goog-hash, x-goog-stored-content-length, …), so one
 * request gives both the bytes and the exact generation they belong to. Undefined when the server did not
 * say which generation it sent.
 */
export function infoFromHeaders(key: string, headers: ResponseHeaders): ObjectInfo | undefined {
  const generation = header(headers, 'x-goog-generation');
  if (!generation) return undefined;
  const goog: Record<string, string> = {};
  for (const pair of (header(headers, 'x-goog-hash') ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i > 0) goog[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  const total = /\/(\d+)\s*$/.exec(header(headers, 'content-range') ?? '')?.[1];
  const size = header(headers, 'x-goog-stored-content-length') ?? total ?? header(headers, 'content-length') ?? '0';
  const modified = header(headers, 'last-modified');
  const contentType = header(headers, 'content-type');
  const metadata = metadataFromHeaders(headers, 'x-goog-meta-');
  return {
    key,
    size: Number(size),
    version: generation,
    ...(modified ? { modified: new Date(modified) } : {}),
    hashes: hashes(goog.md5, goog.crc32c, sha256From(header(headers, `x-goog-meta-${SHA256_METADATA_KEY}`))),
    ...(contentType ? { contentType } : {}),
    ...(metadata ? { metadata } : {}),
  };
}
