/**
 * The per-file lock of `updateFile` on backends with atomic create but no compare-and-swap: a lease
 * (path/lease.ts) kept at `<key>.statestore-lock`, hidden from listings. `forceUnlock` breaks one by its id.
 */
import { PreconditionFailedError, UnsupportedError } from '../errors/errors.js';
import { LOCK_SUFFIX } from '../url/keys.js';
import { readLease, type LeaseRecord } from './lease.js';
import type { VfsPath } from './vfs-path.js';

/** What a lock object holds: a lease record. */
export type LockRecord = LeaseRecord;

export function lockPathFor(target: VfsPath): VfsPath {
  const parent = target.parent();
  if (!parent) throw new UnsupportedError(`Cannot lock ${target.toString()}: it is the root of its store, not a file`, { url: target.toString() });
  return parent.join(`${target.base()}${LOCK_SUFFIX}`);
}

/** Breaks the lock on `target` if (and only if) its id is `id` (conditionally, where the backend allows). */
export async function forceUnlock(target: VfsPath, id: string): Promise<void> {
  const lockPath = lockPathFor(target);
  const current = await readLease(lockPath);
  if (!current) return;
  if (current.record?.id !== id) {
    throw new PreconditionFailedError(`Lock ${lockPath.toString()} has id ${current.record?.id ?? '(unreadable)'}, not ${id}; nothing was removed`, { url: lockPath.toString() });
  }
  const caps = await lockPath.settledCapabilities();
  await lockPath.remove(caps.conditionalDelete ? { ifMatch: current.version } : {});
}
