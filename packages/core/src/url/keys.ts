/**
 * Keys: normalising and validating the `/`-separated names drivers see, and printing them in URLs.
 */
import { InvalidUrlError } from '../errors/errors.js';

/** Splits parts on `/`, drops empty segments, and rejects `.`, `..` and NUL. */
export function normalizeKey(parts: readonly string[], urlForMessage: string): string {
  const segments: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') throw new InvalidUrlError(`Cannot join ${String(part)} to ${urlForMessage}: path parts must be strings`, { url: urlForMessage });
    for (const segment of part.split('/')) {
      if (segment === '') continue;
      if (segment === '.' || segment === '..') {
        throw new InvalidUrlError(
          `Invalid path ${JSON.stringify(part)} under ${urlForMessage}: "." and ".." segments are not allowed (a path can never climb above the store it was opened at)`,
          { url: urlForMessage },
        );
      }
      if (segment.includes('\0')) throw new InvalidUrlError(`Invalid path under ${urlForMessage}: a key cannot contain a NUL byte`, { url: urlForMessage });
      segments.push(segment);
    }
  }
  return segments.join('/');
}

export function joinKey(base: string, rest: string): string {
  if (base === '') return rest;
  if (rest === '') return base;
  return `${base}/${rest}`;
}

/** Prints a key in a URL as kops does (unescaped), except `%` as `%25` so that parsing gives the key back. */
export function escapeKeyForUrl(key: string): string {
  return key.replace(/%/g, '%25');
}

/** `scheme://host/key`, the canonical form for object stores. A root prints with a trailing `/`, as kops does. */
export function formatObjectUrl(scheme: string, host: string, key: string): string {
  return `${scheme}://${host}/${escapeKeyForUrl(key)}`;
}

/**
 * True when a key, taken below the folder being listed, names something core keeps for itself in any of
 * its segments: lock objects (`*.statestore-lock`, and everything kept below one), temporary files
 * (`.statestore-tmp-*`), and the reserved `.statestore/` folder (leases, history). Listings, sync and export
 * hide these; listing inside such a folder shows what is there (the segments above the listing do not count).
 */
export function isInternalKey(relativeKey: string): boolean {
  // Every internal name contains the reserved folder's name (listings call this for every key).
  if (!relativeKey.includes(RESERVED_FOLDER)) return false;
  return relativeKey.split('/').some((segment) => segment === RESERVED_FOLDER || segment.endsWith(LOCK_SUFFIX) || segment.startsWith(TEMP_PREFIX));
}

export const LOCK_SUFFIX = '.statestore-lock';
export const TEMP_PREFIX = '.statestore-tmp-';
/** What Statestore adds to a store lives here, at the store root (DESIGN §10): `leases/<cluster>`, history. */
export const RESERVED_FOLDER = '.statestore';

/** The key of a listing prefix for a directory key (`''` or ending in `/`). */
export function dirPrefix(key: string): string {
  return key === '' ? '' : `${key}/`;
}
