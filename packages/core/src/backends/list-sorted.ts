/**
 * Listing over an in-memory sorted key array: prefix, delimiter and page tokens (the last key of the
 * previous page), as object stores do. Used by the memfs and file backends.
 */
import type { ListOptions, ListPage, ObjectInfo } from '../backend/backend.js';

const DEFAULT_PAGE = 1000;

export function listSorted(sortedKeys: readonly string[], infoOf: (key: string) => ObjectInfo, prefix: string, options: ListOptions): ListPage {
  const pageSize = Math.max(1, options.pageSize ?? DEFAULT_PAGE);
  const after = options.pageToken ?? '';
  let i = lowerBound(sortedKeys, after > prefix ? after : prefix);
  if (after && sortedKeys[i] === after) i++;
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let last = '';
  for (; i < sortedKeys.length; i++) {
    const key = sortedKeys[i]!;
    if (!key.startsWith(prefix)) break;
    if (objects.length + prefixes.length >= pageSize) return { objects, prefixes, nextPageToken: last };
    const rest = key.slice(prefix.length);
    const slash = options.delimiter ? rest.indexOf('/') : -1;
    if (slash >= 0) {
      const dir = prefix + rest.slice(0, slash + 1);
      prefixes.push(dir);
      // Skip every key under this directory: jump to the first key past `dir`.
      const skipTo = lowerBound(sortedKeys, dir + '\uffff');
      last = sortedKeys[skipTo - 1]!;
      i = skipTo - 1;
      continue;
    }
    objects.push(infoOf(key));
    last = key;
  }
  return { objects, prefixes };
}

function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
