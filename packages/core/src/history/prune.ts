/**
 * history/prune owns retention of a cluster's journal (`history prune --keep N | --older-than DURATION`): the
 * oldest revisions' log entries are removed, with the intents older than what is kept and the blobs no kept
 * entry needs. What is kept stays whole: the newest revision always (it is the current state every writer
 * observes against), every blob a kept revision's state or changes name (so `rollback --to` any kept revision,
 * `history diff` between them and `undelete` of a kept deletion still restore byte for byte), and every intent
 * newer than the newest entry with its blobs (a write that may have landed and will be recorded as unconfirmed).
 * Pruning runs under the cluster's lease (every Statestore writer of the cluster holds it). Native versions are not
 * touched: the service's lifecycle rules govern those.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { runLimited } from '../path/run-limited.js';
import type { VfsPath } from '../path/vfs-path.js';
import { underClusterLease, type ClusterLeaseRunner } from '../config/apply.js';
import { openJournal, type HistoryLocation } from './history-store.js';
import type { JournalEntry } from './journal-entry.js';
import { parseEntryName } from './journal-layout.js';
import { listRevisions, type ListedRevision } from './read-history.js';
import type { SubjectJournal } from './subject-journal.js';

const AT_ONCE = 8;

export interface PruneOptions extends HistoryLocation {
  /** Keep this many newest revisions (at least 1). */
  keep?: number;
  /** Prune revisions recorded more than this many milliseconds ago (the newest is always kept). */
  olderThanMs?: number;
  /** Only report what would be removed. */
  dryRun?: boolean;
  /** Takes the cluster's lease around the prune (default: withClusterLease on the store). */
  withLease?: ClusterLeaseRunner;
  /** The clock (tests). */
  now?: () => Date;
}

export interface PruneReport {
  store: string;
  cluster: string;
  /** Where the journal is (the store's `.statestore/history/CLUSTER`, or in the history store). */
  journal: string;
  dryRun: boolean;
  /** Revisions kept, newest first (ids). */
  kept: string[];
  /** Revisions removed (or that would be), newest first. */
  pruned: string[];
  removed: { entries: number; intents: number; blobs: number };
}

/** Prunes the journal of `cluster` in `store` (wherever it is kept), under the cluster's lease. */
export function pruneHistory(store: VfsPath, cluster: string, options: PruneOptions): Promise<PruneReport> {
  const { keep, olderThanMs } = options;
  if (keep === undefined && olderThanMs === undefined) throw new InvalidConfigError('history prune needs --keep N or --older-than DURATION: say how much history to keep');
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) throw new InvalidConfigError(`--keep must be a whole number of revisions, at least 1 (the current state's), not ${keep}`);
  if (olderThanMs !== undefined && !(olderThanMs >= 0)) throw new InvalidConfigError(`--older-than must be a duration of 0 or more, not ${olderThanMs} ms`);
  return underClusterLease(store, cluster, options, 'history prune', async () => {
    const { journal } = await openJournal(store, cluster, options);
    return prune(journal, options);
  });
}

async function prune(journal: SubjectJournal, options: PruneOptions): Promise<PruneReport> {
  const { signal } = options;
  const started = (options.now ?? (() => new Date()))();
  const cutoff = options.olderThanMs === undefined ? undefined : started.getTime() - options.olderThanMs;
  const revisions: ListedRevision[] = [];
  for await (const listed of listRevisions(journal, signal)) revisions.push(listed);
  const newestOf = (r: ListedRevision) => journal.readEntry(r.entries[0]!, 'log', signal);

  // The first revision (from the newest) that goes: everything older goes with it, so what is kept is contiguous.
  let from = Math.max(1, options.keep ?? 1);
  if (cutoff !== undefined) {
    let old = revisions.length;
    for (let i = 1; i < revisions.length; i++) {
      if (Date.parse((await newestOf(revisions[i]!)).time) < cutoff) {
        old = i;
        break;
      }
    }
    from = Math.max(from, old);
  }
  const kept = revisions.slice(0, from);
  const pruned = revisions.slice(from);

  const needed = new Set<string>();
  const need = (entry: JournalEntry) => {
    for (const file of Object.values(entry.files)) needed.add(file.sha256);
    for (const change of entry.changes) for (const sha of [change.before, change.after]) if (sha) needed.add(sha);
  };
  const keptEntries = kept.flatMap((r) => r.entries);
  await runLimited(keptEntries, AT_ONCE, async (name) => need(await journal.readEntry(name, 'log', signal)));
  const oldestKeptSeq = keptEntries.length > 0 ? parseEntryName(keptEntries[keptEntries.length - 1]!)!.seq : Infinity;
  const intentsGone: string[] = [];
  for await (const name of journal.entryNames('intents', signal ? { signal } : {})) {
    if (parseEntryName(name)!.seq < oldestKeptSeq) intentsGone.push(name);
    else need(await journal.readEntry(name, 'intents', signal));
  }
  const blobsGone: VfsPath[] = [];
  const blobs = journal.part('blobs');
  if (pruned.length > 0 || intentsGone.length > 0) {
    for await (const blob of blobs.walk(signal ? { signal } : {})) {
      if (!needed.has(blob.relativeTo(blobs)!)) blobsGone.push(blob);
    }
  }
  const entriesGone = pruned.flatMap((r) => r.entries).reverse(); // oldest first: a prune stopped midway leaves the newest whole
  if (!options.dryRun) {
    const remove = (paths: VfsPath[]) => runLimited(paths, AT_ONCE, (p) => p.remove(signal ? { signal } : {}));
    await remove(entriesGone.map((name) => journal.part('log').join(name)));
    await remove(intentsGone.map((name) => journal.part('intents').join(name)));
    await remove(blobsGone);
  }
  return {
    store: journal.store.toString(),
    cluster: journal.subject,
    journal: journal.folder.toString(),
    dryRun: options.dryRun === true,
    kept: kept.map((r) => r.id),
    pruned: pruned.map((r) => r.id),
    removed: { entries: entriesGone.length, intents: intentsGone.length, blobs: blobsGone.length },
  };
}
