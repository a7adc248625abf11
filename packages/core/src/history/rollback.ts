/**
 * history/rollback owns bringing a cluster back to an earlier state — `rollback --to REV`, and `undelete` (what
 * the newest deletion removed, e.g. every file after `delete cluster`). Both roll forward: a plan of the writes and
 * deletes that turn what is in the store now into the earlier state, byte for byte, each conditional on the
 * version read now, carried out by the apply engine under the cluster's lease and journaled as a new revision.
 * History is never deleted. A store that changed since the plan is refused before anything is written
 * (StalePlanError); a change that slips in between writes stops the rollback there (ApplyIncompleteError) with
 * nothing lost: every version it replaced is in the journal.
 */
import { NotFoundError } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';
import { underClusterLease, type ClusterLeaseRunner } from '../config/apply.js';
import { StalePlanError, type MovedObject, type WriteOutcome } from '../config/apply-errors.js';
import { carryOutWrites } from '../config/apply-writes.js';
import type { ObjectRead } from '../config/cluster-state.js';
import type { ChangeAction } from '../config/plan.js';
import type { FileChange, FileState } from './journal-entry.js';
import { parseEntryName } from './journal-layout.js';
import { Operation } from './operation.js';
import { openJournal, type HistoryLocation } from './history-store.js';
import { resolveIn } from './read-history.js';
import type { SubjectJournal } from './subject-journal.js';

/** One file a rollback writes or deletes. */
export interface RollbackChange {
  /** Relative to the cluster folder. */
  path: string;
  /** Relative to the store root (as plans name files). */
  key: string;
  action: ChangeAction;
  /** The content written (create, change), by hash. */
  sha256?: string;
  size?: number;
}

export interface RollbackPlan {
  /** rollback: the whole cluster folder is brought back to a revision; undelete: deleted files are created again. */
  kind: 'rollback' | 'undelete';
  store: string;
  cluster: string;
  /**
   * Rollback: the revision whose state the cluster is brought back to. Undelete: the revision whose deletion is
   * undone (index -1 for a deletion not recorded yet).
   */
  to: { id: string; index: number };
  createdAt: string;
  /** What was read now, by key relative to the store: its version and hash, or "absent" (rollback: every file of the cluster). */
  read: Record<string, ObjectRead>;
  /** Writes first (the cluster's `config` last), then deletes (`config` first), so kops never sees half a cluster. */
  changes: RollbackChange[];
}

export interface RollbackOptions extends HistoryLocation {
  /** The revision the writes are journaled as (default: a new one, attributed to this process). */
  operation?: Operation;
  /** Takes the cluster's lease around planning and writing. */
  withLease?: ClusterLeaseRunner;
}

export interface RollbackReport {
  store: string;
  cluster: string;
  to: { id: string; index: number };
  /** The revision the rollback itself made. */
  revision: string;
  applied: WriteOutcome[];
}

const CONFIG = 'config';
/** What to do after a rollback was refused or stopped: it plans from the store as it is, so running it again finishes it. */
const AGAIN = 'Look at what changed (statestore history), then run the rollback again: it starts from what the store holds now, and every version it replaced is in the history.';

/** Plans bringing `cluster` back to the state after revision `rev`. Reads only. */
export async function planRollback(store: VfsPath, cluster: string, rev: string, options: HistoryLocation = {}): Promise<RollbackPlan> {
  const { journal } = await openJournal(store, cluster, options);
  const target = await resolveIn(journal, rev, options.signal);
  return planTo(journal, { id: target.id, index: target.index }, target.files, options.signal);
}

/**
 * Plans bringing back what the newest deletion in `cluster`'s history removed — after `delete cluster` every file
 * of the cluster, after `delete ig` that instance group — each file with the content it had, created only where
 * it is missing now (nothing else is touched). A deletion made outside Statestore and not recorded yet counts.
 * NotFoundError when the history has no deletion whose files are missing. Reads only.
 */
export async function planUndelete(store: VfsPath, cluster: string, options: HistoryLocation = {}): Promise<RollbackPlan> {
  const { signal } = options;
  const { journal } = await openJournal(store, cluster, options);
  const head = await journal.head(signal);
  const now = await journal.observe(head, signal);
  const removedBy = (changes: FileChange[]) => changes.filter((c) => c.before !== null && c.after === null);
  for (const group of [...now.groups].reverse()) {
    const removed = removedBy(group.changes);
    if (removed.length > 0) return undeletePlan(store, cluster, { id: group.revision ?? '', index: -1 }, removed, now.files);
  }
  let revision: { id: string; index: number; changes: FileChange[] } | undefined;
  let index = -1;
  for await (const name of journal.entryNames('log', { pageSize: 64, ...(signal ? { signal } : {}) })) {
    const id = parseEntryName(name)!.revision;
    if (revision?.id !== id) {
      if (revision && removedBy(netOf(revision.changes)).length > 0) break;
      revision = { id, index: ++index, changes: [] };
    }
    revision.changes.unshift(...(await journal.readEntry(name, 'log', signal)).changes);
  }
  const removed = revision ? removedBy(netOf(revision.changes)) : [];
  if (!revision || removed.length === 0) {
    throw new NotFoundError(`the history of ${cluster} in ${store.toString()} has no deletion to undo; list it with \`statestore history ${cluster}\``, { url: journal.subjectFolder.toString() });
  }
  return undeletePlan(store, cluster, { id: revision.id, index: revision.index }, removed, now.files);
}

/** The net change per file of a revision's changes (oldest first): its first `before` and last `after`. */
function netOf(changes: FileChange[]): FileChange[] {
  const net = new Map<string, FileChange>();
  for (const c of changes) net.set(c.path, { path: c.path, before: net.get(c.path)?.before ?? c.before, after: c.after });
  return [...net.values()];
}

function undeletePlan(store: VfsPath, cluster: string, deletion: { id: string; index: number }, removed: FileChange[], now: Record<string, FileState>): RollbackPlan {
  const missing = removed.filter((c) => !now[c.path]);
  if (missing.length === 0) {
    throw new NotFoundError(`nothing to undelete in ${cluster}: the files revision ${deletion.id} deleted exist again (${removed.map((c) => c.path).join(', ')})`, { url: store.join(cluster).toString() });
  }
  const read: Record<string, ObjectRead> = {};
  const changes: RollbackChange[] = missing
    .map((c) => ({ path: c.path, key: `${cluster}/${c.path}`, action: 'create' as const, sha256: c.before! }))
    .sort((a, b) => Number(a.path === CONFIG) - Number(b.path === CONFIG) || (a.path < b.path ? -1 : 1));
  for (const c of changes) read[c.key] = 'absent';
  return { kind: 'undelete', store: store.toString(), cluster, to: deletion, createdAt: new Date().toISOString(), read, changes };
}

async function planTo(journal: SubjectJournal, to: { id: string; index: number }, target: Record<string, FileState>, signal?: AbortSignal): Promise<RollbackPlan> {
  const { store, subject: cluster } = journal;
  const now = (await journal.observe(await journal.head(signal), signal)).files;
  const keyOf = (path: string) => `${cluster}/${path}`;
  const read: Record<string, ObjectRead> = {};
  const writes: RollbackChange[] = [];
  const deletes: RollbackChange[] = [];
  for (const path of [...new Set([...Object.keys(now), ...Object.keys(target)])].sort()) {
    const was = now[path];
    const want = target[path];
    read[keyOf(path)] = was ? { version: was.version, sha256: was.sha256 } : 'absent';
    if (want && was?.sha256 === want.sha256) continue;
    if (want) writes.push({ path, key: keyOf(path), action: was ? 'change' : 'create', sha256: want.sha256, size: want.size });
    else deletes.push({ path, key: keyOf(path), action: 'delete' });
  }
  const configLast = (a: RollbackChange, b: RollbackChange) => Number(a.path === CONFIG) - Number(b.path === CONFIG);
  return { kind: 'rollback', store: store.toString(), cluster, to, createdAt: new Date().toISOString(), read, changes: [...writes.sort(configLast), ...deletes.sort(configLast).reverse()] };
}

/**
 * Carries out a rollback plan: refused (nothing written) when any file of the cluster changed since the plan,
 * otherwise each change conditional on the version the plan read, journaled as the operation's revision.
 */
export async function applyRollback(store: VfsPath, plan: RollbackPlan, options: RollbackOptions = {}): Promise<RollbackReport> {
  const { signal } = options;
  const operation = options.operation ?? new Operation(store, { ...(options.historyStore ? { historyStore: options.historyStore } : {}), ...(options.open ? { open: options.open } : {}) });
  const { journal } = await openJournal(store, plan.cluster, options);
  const contents = new Map<string, Uint8Array>();
  for (const c of plan.changes) if (c.sha256 && !contents.has(c.sha256)) contents.set(c.sha256, await journal.readBlob(c.sha256, signal));
  await assertUnchanged(journal, plan, signal);
  const tracked = operation.track(store);
  const writes = plan.changes.map((c) => ({
    object: c.path,
    key: c.key,
    action: c.action,
    path: tracked.join(c.key),
    expected: plan.read[c.key]!,
    ...(c.sha256 ? { data: contents.get(c.sha256)! } : {}),
  }));
  const applied = await carryOutWrites({ store: plan.store, cluster: plan.cluster }, writes, { resume: AGAIN, ...(signal ? { signal } : {}) });
  return { store: plan.store, cluster: plan.cluster, to: plan.to, revision: operation.revision, applied };
}

/** StalePlanError when a file the plan read changed, or (rollback) the cluster folder holds a file it did not read. */
async function assertUnchanged(journal: SubjectJournal, plan: RollbackPlan, signal?: AbortSignal): Promise<void> {
  const folder = journal.subjectFolder;
  const listed = new Map<string, string>();
  for await (const file of folder.walk(signal ? { signal } : {})) listed.set(`${plan.cluster}/${file.relativeTo(folder)}`, file.listed?.version ?? '');
  const moved: MovedObject[] = [];
  for (const key of new Set([...Object.keys(plan.read), ...(plan.kind === 'rollback' ? listed.keys() : [])])) {
    const was = plan.read[key] ?? 'absent';
    const version = listed.get(key);
    const now: ObjectRead = version === undefined ? 'absent' : { version, sha256: '' };
    if (was === 'absent' ? now === 'absent' : now !== 'absent' && now.version === was.version) continue;
    moved.push({ key, object: key.slice(key.indexOf('/') + 1), change: was === 'absent' ? 'added' : now === 'absent' ? 'removed' : 'changed', was, now });
  }
  if (moved.length > 0) throw new StalePlanError(plan.cluster, moved.sort((a, b) => (a.key < b.key ? -1 : 1)), { url: plan.store, createdAt: plan.createdAt, remedy: AGAIN });
}

/** Plans and carries out `rollback --to rev` under the cluster's lease. */
export function rollback(store: VfsPath, cluster: string, rev: string, options: RollbackOptions = {}): Promise<{ plan: RollbackPlan; report: RollbackReport }> {
  return underClusterLease(store, cluster, options, 'rollback', async () => {
    const plan = await planRollback(store, cluster, rev, options);
    return { plan, report: await applyRollback(store, plan, options) };
  });
}

/** Plans and carries out `undelete` under the cluster's lease. */
export function undelete(store: VfsPath, cluster: string, options: RollbackOptions = {}): Promise<{ plan: RollbackPlan; report: RollbackReport }> {
  return underClusterLease(store, cluster, options, 'undelete', async () => {
    const plan = await planUndelete(store, cluster, options);
    return { plan, report: await applyRollback(store, plan, options) };
  });
}
