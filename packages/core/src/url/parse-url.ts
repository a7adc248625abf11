/**
 * url/ owns turning user input into (scheme, host, decoded path) and keys back into printable URLs.
 * Percent-escapes are decoded as kops (Go's net/url) does; Node's URL class is not used because it keeps
 * them encoded and would treat `?`/`#` in keys as query and fragment.
 */
import path from 'node:path';
import { InvalidUrlError } from '../errors/errors.js';
import { hasUserinfo, redactUrl } from '../errors/redact.js';
import { assertNotUrlTypo } from './url-typos.js';

export interface ParsedUrl {
  /** Lowercase scheme without `://`; `file` for bare local paths. */
  scheme: string;
  /** Bucket, container, account or `host:port`; empty for `file` and `memfs`. */
  host: string;
  /** Percent-decoded path after the host, without leading `/`. For `file`, the absolute local path without leading `/`. */
  path: string;
  /** The path exactly as given (still percent-encoded), for plugins that read a query such as `?tls=false`. */
  rawPath: string;
  /** The input, as given (may hold secrets only if the user put them there; never printed by core). */
  input: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** Decodes `%XX` escapes; a malformed escape is an InvalidUrlError. */
export function decodePercent(text: string, input: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, '%2B'));
  } catch {
    throw new InvalidUrlError(`Invalid URL ${safeForMessage(input)}: a malformed %-escape; write a literal % as %25`, {
      url: safeForMessage(input),
    });
  }
}

/** The URL with its credentials (a `user:password@` part, `?token=` and the like) replaced by `***`, safe to print. */
export function safeForMessage(input: string): string {
  return redactUrl(input);
}

export function parseUrl(input: string, options: { cwd?: string } = {}): ParsedUrl {
  if (typeof input !== 'string' || input.length === 0) {
    throw new InvalidUrlError('Invalid URL: empty; give a store URL such as s3://bucket/prefix or a local path');
  }
  if (input.includes('\0')) throw new InvalidUrlError(`Invalid URL ${JSON.stringify(safeForMessage(input))}: contains a NUL byte`);
  assertNotUrlTypo(input, safeForMessage(input));
  const m = SCHEME.exec(input);
  if (!m) return localPath(input, input, options.cwd);
  const scheme = m[1]!.toLowerCase();
  const rest = input.slice(m[0].length);
  if (scheme === 'file') return localPath(rest.startsWith('/') ? rest : rest, input, options.cwd);
  if (scheme === 'memfs') {
    const rawPath = rest.replace(/^\/+/, '');
    return { scheme, host: '', path: decodePercent(rawPath, input), rawPath, input };
  }
  const slash = rest.indexOf('/');
  const host = slash === -1 ? rest : rest.slice(0, slash);
  const rawPath = slash === -1 ? '' : rest.slice(slash + 1);
  if (hasUserinfo(input)) {
    throw new InvalidUrlError(
      `Invalid URL ${safeForMessage(input)}: credentials do not belong in a store URL; use the backend's environment variables or credential files`,
      { url: safeForMessage(input) },
    );
  }
  if (host === '') {
    throw new InvalidUrlError(`Invalid URL ${input}: no bucket or host after ${scheme}://; expected ${scheme}://BUCKET/PATH`, { url: input });
  }
  return { scheme, host: decodePercent(host, input), path: decodePercent(rawPath, input), rawPath, input };
}

function localPath(p: string, input: string, cwd: string | undefined): ParsedUrl {
  const absolute = path.resolve(cwd ?? process.cwd(), p === '' ? '.' : p);
  return { scheme: 'file', host: '', path: absolute.replace(/^\/+/, ''), rawPath: absolute, input };
}
