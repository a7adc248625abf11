/**
 * The writes of an apply, each conditional on the version the plan read: create-if-absent for "absent",
 * compare-and-swap for a file, a conditional delete for a pruned one. Where a backend cannot make a
 * replace or a delete conditional (no compare-and-swap, no conditional delete: Swift, OSS), the version is
 * checked immediately before an unconditional write or delete: apply runs under the cluster's lease, so only
 * a writer that ignores the lease can slip into that window (one request's round trip), and it is documented.
 * `carryOutWrites` runs a list of them in order and reports where a failure left the store; plan/apply and
 * history's rollback both go through it.
 */
import { PreconditionFailedError, isNotFound, isPreconditionFailed } from '../errors/errors.js';
import type { FileData } from '../path/body.js';
import type { VfsPath } from '../path/vfs-path.js';
import { ApplyIncompleteError, type WriteOutcome } from './apply-errors.js';
import type { ObjectRead, ReadVersion } from './cluster-state.js';

function moved(path: VfsPath, expected: ReadVersion): PreconditionFailedError {
  return new PreconditionFailedError(`${path.toString()} changed since version ${expected.version} was read; make a new plan`, { url: path.toString() });
}

/** Writes `text` if the file is still as the plan read it ("absent": creates it, AlreadyExists otherwise). */
export async function writeAtVersion(path: VfsPath, text: FileData, expected: ObjectRead, signal?: AbortSignal): Promise<void> {
  const options = signal ? { signal } : {};
  if (expected === 'absent') {
    await path.createFile(text, options);
    return;
  }
  const caps = await path.settledCapabilities(signal);
  if (caps.compareAndSwap) {
    await path.replaceFile(text, { ...options, ifMatch: { version: expected.version, ...(expected.writeId ? { writeId: expected.writeId } : {}) } });
    return;
  }
  // No compare-and-swap: check, then write (the window is one round trip, open only to writers without the lease).
  if ((await path.statInfo(signal))?.version !== expected.version) throw moved(path, expected);
  await path.writeFile(text, options);
}

/**
 * Deletes the file if it is still as the plan read it. A file already gone is what the delete wanted (a
 * retried delete whose first answer was lost ends here too): done.
 */
export async function removeAtVersion(path: VfsPath, expected: ObjectRead, signal?: AbortSignal): Promise<void> {
  if (expected === 'absent') return;
  const caps = await path.settledCapabilities(signal);
  try {
    if (caps.conditionalDelete) {
      await path.remove({ ifMatch: expected.version, ...(signal ? { signal } : {}) });
      return;
    }
    // No conditional delete: check, then delete (same window as above).
    const now = await path.statInfo(signal);
    if (!now) return;
    if (now.version !== expected.version) throw moved(path, expected);
    await path.remove(signal ? { signal } : {});
  } catch (e) {
    if (!(isNotFound(e) || isPreconditionFailed(e))) throw e;
    if ((await path.statInfo(signal)) === undefined) return;
    throw isPreconditionFailed(e) ? moved(path, expected) : e;
  }
}

/** One write of an apply: what it is, where, the version it was planned against, and what it writes (none: delete). */
export interface PlannedWrite extends WriteOutcome {
  path: VfsPath;
  expected: ObjectRead;
  data?: FileData;
}

/**
 * Carries out `writes` in order, each conditional on its expected version. A failure stops it with
 * ApplyIncompleteError saying what landed, what failed (and whether it may have landed), what was not
 * written, and `resume` (how to finish); `alreadyApplied` is what an earlier run had written (reported only).
 */
export async function carryOutWrites(
  where: { store: string; cluster: string },
  writes: readonly PlannedWrite[],
  options: { alreadyApplied?: WriteOutcome[]; resume?: string; signal?: AbortSignal } = {},
): Promise<WriteOutcome[]> {
  const { alreadyApplied = [], signal } = options;
  const outcome = ({ object, key, action }: WriteOutcome): WriteOutcome => ({ object, key, action });
  const landed: WriteOutcome[] = [];
  for (const [i, w] of writes.entries()) {
    try {
      if (w.action === 'delete') await removeAtVersion(w.path, w.expected, signal);
      else await writeAtVersion(w.path, w.data!, w.expected, signal);
    } catch (e) {
      throw new ApplyIncompleteError(
        {
          ...where,
          landed,
          alreadyApplied,
          failed: { ...outcome(w), error: (e as Error).message, outcome: ApplyIncompleteError.outcomeOf(e) },
          notAttempted: writes.slice(i + 1).map(outcome),
        },
        e,
        options.resume,
      );
    }
    landed.push(outcome(w));
  }
  return landed;
}
