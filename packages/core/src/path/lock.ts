/**
 * The lock object that gives `updateFile` mutual exclusion on backends that have atomic create but no
 * compare-and-swap. The lock is `<key>.statestore-lock`, created atomically, holding who took it and
 * until when. An expired lease is broken (logged); `forceUnlock` breaks a lock by its id on purpose.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ConflictError, isAlreadyExists, isNotFound, PreconditionFailedError, UnsupportedError } from '../errors/errors.js';
import { LOCK_SUFFIX } from '../url/keys.js';
import type { StoreContext } from './store-context.js';
import type { VfsPath } from './vfs-path.js';

/** What a lock object holds. */
export interface LockRecord {
  id: string;
  holder: string;
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  time: string;
  leaseMs: number;
}

export interface HeldLock {
  record: LockRecord;
  release(): Promise<void>;
}

export function lockPathFor(target: VfsPath): VfsPath {
  const parent = target.parent();
  if (!parent) throw new UnsupportedError(`Cannot lock ${target.toString()}: it is the root of its store, not a file`, { url: target.toString() });
  return parent.join(`${target.base()}${LOCK_SUFFIX}`);
}

export async function acquireLock(target: VfsPath, ctx: StoreContext, deadline: number, signal?: AbortSignal): Promise<HeldLock> {
  const lockPath = lockPathFor(target);
  const record: LockRecord = {
    id: randomUUID(),
    holder: process.env.USER ?? 'statestore',
    host: hostname(),
    pid: process.pid,
    time: new Date().toISOString(),
    leaseMs: ctx.lockLeaseMs,
  };
  for (let round = 1; ; round++) {
    record.time = new Date().toISOString();
    try {
      await lockPath.createFile(JSON.stringify(record), { signal });
      return {
        record,
        release: async () => {
          const current = await readLock(lockPath);
          if (current?.id === record.id) await lockPath.remove();
        },
      };
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    const existing = await readLock(lockPath);
    if (existing && Date.parse(existing.time) + existing.leaseMs < Date.now()) {
      ctx.logger.log(0, `breaking expired lock ${lockPath.toString()} held by ${existing.holder}@${existing.host} (pid ${existing.pid}) since ${existing.time}`);
      await forceUnlock(target, existing.id).catch(() => undefined);
      continue;
    }
    try {
      await target.waitBeforeNextRound(round, deadline, signal);
    } catch (e) {
      throw new ConflictError(
        `Cannot lock ${target.toString()}: ${existing ? `held by ${existing.holder}@${existing.host} (pid ${existing.pid}, lock id ${existing.id}) since ${existing.time}` : 'another writer holds it'}. If that writer is gone, run \`statestore unlock ${target.toString()} ${existing?.id ?? '<id>'}\`.`,
        { url: target.toString(), cause: e },
      );
    }
  }
}

async function readLock(lockPath: VfsPath): Promise<LockRecord | undefined> {
  try {
    return JSON.parse(await lockPath.readText()) as LockRecord;
  } catch (e) {
    if (isNotFound(e) || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** Breaks the lock on `target` if (and only if) its id is `id`. */
export async function forceUnlock(target: VfsPath, id: string): Promise<void> {
  const lockPath = lockPathFor(target);
  const info = await lockPath.statInfo();
  const current = await readLock(lockPath);
  if (!current || !info) return;
  if (current.id !== id) {
    throw new PreconditionFailedError(`Lock ${lockPath.toString()} has id ${current.id}, not ${id}; nothing was removed`, { url: lockPath.toString() });
  }
  await lockPath.remove(lockPath.backend.capabilities.conditionalDelete ? { ifMatch: info.version } : {});
}
