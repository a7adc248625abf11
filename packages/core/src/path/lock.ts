/**
 * The per-file lock of `updateFile` on backends without compare-and-swap: a lease (path/lease.ts) kept at
 * `<key>.statestore-lock` (on Swift, a folder of candidates there), hidden from listings. `forceUnlock`
 * breaks one by its id.
 */
import { UnsupportedError } from '../errors/errors.js';
import { LOCK_SUFFIX } from '../url/keys.js';
import { breakLease, type LeaseRecord } from './lease.js';
import type { VfsPath } from './vfs-path.js';

/** What a lock object holds: a lease record. */
export type LockRecord = LeaseRecord;

export function lockPathFor(target: VfsPath): VfsPath {
  const parent = target.parent();
  if (!parent) throw new UnsupportedError(`Cannot lock ${target.toString()}: it is the root of its store, not a file`, { url: target.toString() });
  return parent.join(`${target.base()}${LOCK_SUFFIX}`);
}

/** Breaks the lock on `target` if (and only if) its id is `id` (PreconditionFailedError otherwise; nothing removed). */
export async function forceUnlock(target: VfsPath, id: string): Promise<void> {
  await breakLease(lockPathFor(target), { id });
}
