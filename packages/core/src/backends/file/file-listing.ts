/**
 * backends/file/file-listing owns listing a folder tree in key order, one page at a time and without a
 * cache: each page walks the tree again from the prefix and skips every folder whose keys all sort before
 * the page token, so a listing resumes exactly after the token's key however the tree changed meanwhile.
 * A folder `d` sorts as `d/` (so `d-1` < `d/x` < `d0`, as object stores order keys). Symbolic links (never
 * followed), names that are not valid UTF-8 and special files are reported as skipped, never silently
 * left out. Internal files are left out, except stale ones (listed under their internal keys, which core
 * hides unless asked) so that removeAll clears them.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import type { ListOptions, ListPage, ObjectInfo, SkippedEntry } from '../../backend/backend.js';
import { TEMP_PREFIX } from '../../url/keys.js';
import { isStaleInternal } from './internal-files.js';

const DEFAULT_PAGE = 1000;

interface Found {
  key: string;
  /** A folder, listed as a prefix (one-level listings only). */
  prefix: boolean;
}

/** One page of the listing of `prefix` (`''` or ending in `/`); `statFile` gives a file's info. */
export async function listFileTree(
  prefix: string,
  options: ListOptions,
  statFile: (key: string) => Promise<ObjectInfo | undefined>,
  mapError: (e: unknown, file: string) => Error,
): Promise<ListPage> {
  const pageSize = Math.max(1, options.pageSize ?? DEFAULT_PAGE);
  const after = options.pageToken ?? '';
  const skipped: SkippedEntry[] = [];
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let last = '';
  for await (const found of walk(prefix, after, !options.delimiter, skipped, mapError)) {
    options.signal?.throwIfAborted();
    if (objects.length + prefixes.length >= pageSize) {
      return { objects, prefixes, nextPageToken: last, ...(skipped.length ? { skipped: skipped.filter((s) => s.key < found.key) } : {}) };
    }
    if (found.prefix) prefixes.push(found.key);
    else {
      const info = await statFile(found.key);
      if (!info) continue; // removed meanwhile
      objects.push(info);
    }
    last = found.key;
  }
  return { objects, prefixes, ...(skipped.length ? { skipped } : {}) };
}

async function* walk(dirKey: string, after: string, recursive: boolean, skipped: SkippedEntry[], mapError: (e: unknown, file: string) => Error): AsyncGenerator<Found> {
  let entries: Dirent<Buffer>[];
  try {
    entries = await fs.readdir(`/${dirKey}`, { withFileTypes: true, encoding: 'buffer' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw mapError(e, `/${dirKey}`);
  }
  const items: { sortKey: string; dir: boolean }[] = [];
  for (const entry of entries) {
    const name = entry.name.toString('utf8');
    const key = `${dirKey}${name}`;
    if (!Buffer.from(name, 'utf8').equals(entry.name)) {
      if (key > after) skipped.push({ key, reason: 'its name is not valid UTF-8, so it cannot be a key' });
      continue;
    }
    if (name.startsWith(TEMP_PREFIX)) {
      if (entry.isFile() && key > after && (await isStaleInternal(`/${dirKey}`, name))) items.push({ sortKey: key, dir: false });
      continue;
    }
    if (entry.isSymbolicLink()) {
      if (key > after) skipped.push({ key, reason: 'a symbolic link, which Statestore does not follow' });
    } else if (entry.isDirectory()) items.push({ sortKey: `${key}/`, dir: true });
    else if (entry.isFile()) items.push({ sortKey: key, dir: false });
    else if (key > after) skipped.push({ key, reason: 'not a regular file or folder' });
  }
  items.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  for (const item of items) {
    if (!item.dir) {
      if (item.sortKey > after) yield { key: item.sortKey, prefix: false };
    } else if (!recursive) {
      if (item.sortKey > after) yield { key: item.sortKey, prefix: true };
    } else if (item.sortKey > after || after.startsWith(item.sortKey)) {
      yield* walk(item.sortKey, after, true, skipped, mapError);
    }
  }
}
