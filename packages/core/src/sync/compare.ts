/**
 * sync/compare owns change detection: is the destination file the same as the source file? Sizes first;
 * then a hash both listings carry (no request per file); where the listings' hashes are not comparable
 * (a multipart ETag, a Swift large object, a local disk), a hash recorded at write time (one stat per
 * side that lacked it); and last, reading and hashing the side(s) still lacking one. Equal sizes alone
 * never count as "same".
 */
import type { HashAlgorithm, ObjectInfo } from '../backend/backend.js';
import { hashStream } from '../path/body.js';
import type { VfsPath } from '../path/vfs-path.js';
import type { CompareMethod } from './progress.js';

/** The outcome of comparing one pair. */
export interface Comparison {
  same: boolean;
  method: CompareMethod;
}

/** Strongest first; crc32c is only used when both sides report it. */
const PREFERENCE: readonly HashAlgorithm[] = ['sha256', 'md5', 'crc32c'];

/** The strongest algorithm both hash sets carry. */
export function commonHash(a: ObjectInfo['hashes'], b: ObjectInfo['hashes']): HashAlgorithm | undefined {
  return PREFERENCE.find((alg) => a?.[alg] !== undefined && b?.[alg] !== undefined);
}

/** Decides from listing info alone, or returns undefined when only a closer look can tell. */
export function compareListed(source: ObjectInfo, destination: ObjectInfo | undefined): Comparison | undefined {
  if (!destination) return { same: false, method: 'missing' };
  if (source.size !== destination.size) return { same: false, method: 'size' };
  const alg = commonHash(source.hashes, destination.hashes);
  if (alg) return { same: source.hashes![alg] === destination.hashes![alg], method: 'listing-hash' };
  return undefined;
}

/**
 * The closer look for a pair of equal size whose listings share no hash: stat the side(s) whose listing
 * had no hash (a hash recorded at write time shows up there), else read and hash.
 */
export async function compareDeep(source: VfsPath, destination: VfsPath, signal?: AbortSignal): Promise<Comparison> {
  const [s, d] = await Promise.all([withRecordedHash(source, signal), withRecordedHash(destination, signal)]);
  if (s.size !== d.size) return { same: false, method: 'size' };
  const recorded = commonHash(s.hashes, d.hashes);
  if (recorded) return { same: s.hashes![recorded] === d.hashes![recorded], method: 'recorded-hash' };
  const alg: 'sha256' | 'md5' = s.hashes?.sha256 || d.hashes?.sha256 ? 'sha256' : s.hashes?.md5 || d.hashes?.md5 ? 'md5' : 'sha256';
  const [sh, dh] = await Promise.all([s.hashes?.[alg] ?? readHash(source, alg, signal), d.hashes?.[alg] ?? readHash(destination, alg, signal)]);
  return { same: sh === dh, method: 'read' };
}

/** Listing info, refreshed by a stat when the listing carried no hash at all. */
async function withRecordedHash(path: VfsPath, signal?: AbortSignal): Promise<ObjectInfo> {
  const listed = path.listed;
  if (listed?.hashes && Object.keys(listed.hashes).length > 0) return listed;
  const info = await path.statInfo(signal);
  if (info) return info;
  if (listed) return listed;
  return { key: path.key, size: -1, version: '' };
}

async function readHash(path: VfsPath, alg: 'sha256' | 'md5', signal?: AbortSignal): Promise<string> {
  return hashStream(await path.readStream({ signal }), alg);
}
