/**
 * driver-kit/list-pager owns listing a sorted array of keys as object stores list: a prefix, the `/`
 * delimiter (keys below a folder collapse into one prefix), pages of a given size, and a page token that is
 * the last key of the previous page, so a listing resumes after that key however the keys changed between
 * pages. For drivers whose service returns whole folders or nothing paged (memfs, Vault). Keys sort by
 * JavaScript string order, which is byte order for every key below U+D800.
 */
import type { ListOptions } from '../backend/backend.js';

const DEFAULT_PAGE = 1000;

/** One page of keys: files (`keys`), collapsed folders (`prefixes`), and the token of the next page. */
export interface KeyPage {
  keys: string[];
  prefixes: string[];
  nextPageToken?: string;
}

/** The page of `sortedKeys` below `prefix` that `options` asks for. */
export function pageOfSortedKeys(sortedKeys: readonly string[], prefix: string, options: Pick<ListOptions, 'delimiter' | 'pageSize' | 'pageToken'>): KeyPage {
  const pageSize = Math.max(1, options.pageSize ?? DEFAULT_PAGE);
  const after = options.pageToken ?? '';
  let i = lowerBound(sortedKeys, after > prefix ? after : prefix);
  if (after && sortedKeys[i] === after) i++;
  const keys: string[] = [];
  const prefixes: string[] = [];
  let last = '';
  for (; i < sortedKeys.length; i++) {
    const key = sortedKeys[i]!;
    if (!key.startsWith(prefix)) break;
    if (keys.length + prefixes.length >= pageSize) return { keys, prefixes, nextPageToken: last };
    const slash = options.delimiter ? key.indexOf('/', prefix.length) : -1;
    if (slash >= 0) {
      const folder = key.slice(0, slash + 1);
      if (folder !== after) prefixes.push(folder);
      // Skip every key below this folder: on to the first key past it.
      const skipTo = lowerBound(sortedKeys, `${folder}\uffff`);
      last = folder;
      i = skipTo - 1;
      continue;
    }
    keys.push(key);
    last = key;
  }
  return { keys, prefixes };
}

/** The first index whose key is not below `target`. */
export function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
