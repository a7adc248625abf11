/**
 * history/read-history owns reading a subject's history as revisions, newest first, and finding one by REV: the
 * opaque id `history` prints (or a unique prefix of at least 4 digits) or `@-N` (N revisions back from the
 * newest recorded one). Consecutive log entries of one revision are one revision; its files are the net change
 * of those entries. Reading never writes: changes in the store that no entry records yet are reported
 * separately (`unrecorded`) and recorded by the next Statestore write.
 */
import { InvalidConfigError, NotFoundError, isPermissionDenied } from '../errors/errors.js';
import { runLimited } from '../path/run-limited.js';
import type { VfsPath } from '../path/vfs-path.js';
import type { HistoryMode } from './history-settings.js';
import { openJournal, type HistoryLocation } from './history-store.js';
import type { Attribution, FileChange, FileState, JournalEntry, RevisionKind } from './journal-entry.js';
import { parseEntryName } from './journal-layout.js';
import { keepsVersions, listNativeVersions, mergeNative, type NativeMerge, type NativeVersion } from './native-versions.js';
import type { ObservedGroup, SubjectJournal } from './subject-journal.js';

const READS_AT_ONCE = 8;
const NAMES_PER_PAGE = 256;

export interface RevisionFile {
  /** Relative to the cluster folder, e.g. `instancegroup/nodes`. */
  path: string;
  change: 'added' | 'changed' | 'removed';
}

export interface Revision {
  /** The REV to name it by. */
  id: string;
  /** How many revisions back from the newest recorded one (`@-N`); absent for changes not recorded yet. */
  index?: number;
  kind: RevisionKind;
  /** When it was recorded (its newest entry), ISO 8601. */
  time: string;
  attribution?: Attribution;
  files: RevisionFile[];
  /** Its log entries, newest first (none for a version only the service kept). */
  entries: string[];
  /**
   * The versions the service kept of its files (bucket versioning, KV v2), where it keeps them. A revision with
   * these and no entries is a change the journal does not know (kops, another tool), at the time the service
   * stored it; its id is a version id of the service, not a REV.
   */
  native?: NativeVersion[];
}

export interface HistoryView {
  store: string;
  cluster: string;
  /** Whether Statestore commands journal their changes in this store. */
  mode: HistoryMode;
  /** Changes in the store that no entry records yet (the next Statestore write records them), newest first. */
  unrecorded: Revision[];
  revisions: Revision[];
  /** The REV the next page starts at, when there are more. */
  next?: string;
  /**
   * Present where the service keeps versions of the cluster's files: whether they were read (merged into `revisions`), or why not (e.g.
   * no permission to list versions). Revisions only the service kept are shown newer than the oldest journal
   * revision of the page, and are not counted by `limit`.
   */
  native?: { read: boolean; reason?: string };
}

export interface ReadHistoryOptions extends HistoryLocation {
  /** Only revisions that changed this file (relative to the cluster folder). */
  file?: string;
  /** At most this many revisions (default 20; 0: all). */
  limit?: number;
  /** Start at this revision (a REV), for the next page. */
  from?: string;
}

/** A recorded revision found by REV, with the state of its subject after it. */
export interface ResolvedRevision {
  id: string;
  index: number;
  /** Its newest entry. */
  entry: string;
  files: Record<string, FileState>;
}

/** A revision as the log lists it: its id, its position, and its entry names (newest first). */
export interface ListedRevision {
  id: string;
  index: number;
  entries: string[];
}

/** @internal Revisions from the entry names alone (a listing; no entry is read), newest first. */
export async function* listRevisions(journal: SubjectJournal, signal?: AbortSignal): AsyncGenerator<ListedRevision> {
  let current: ListedRevision | undefined;
  let index = 0;
  for await (const name of journal.entryNames('log', { pageSize: NAMES_PER_PAGE, ...(signal ? { signal } : {}) })) {
    const { revision } = parseEntryName(name)!;
    if (current?.id === revision) {
      current.entries.push(name);
      continue;
    }
    if (current) yield current;
    current = { id: revision, index: index++, entries: [name] };
  }
  if (current) yield current;
}

/** Parses a REV into what it selects. */
function parseRev(rev: string): { index: number } | { prefix: string } {
  const back = /^@-(\d+)$/.exec(rev.trim());
  if (back) return { index: Number(back[1]) };
  if (/^[0-9a-f]{4,12}$/.test(rev.trim())) return { prefix: rev.trim() };
  throw new InvalidConfigError(`${JSON.stringify(rev)} is not a revision: give an id that \`statestore history\` printed (at least its first 4 digits), or @-N for N revisions back`);
}

/** Finds a recorded revision's listing position by REV. */
async function findListed(journal: SubjectJournal, rev: string, signal?: AbortSignal): Promise<ListedRevision> {
  const wanted = parseRev(rev);
  const matches: ListedRevision[] = [];
  for await (const listed of listRevisions(journal, signal)) {
    if ('index' in wanted) {
      if (listed.index === wanted.index) return listed;
    } else if (listed.id.startsWith(wanted.prefix)) {
      matches.push(listed);
      if (listed.id === wanted.prefix) return listed;
    }
  }
  const unique = new Set(matches.map((m) => m.id));
  if (unique.size === 1) return matches[0]!;
  if (unique.size > 1) throw new InvalidConfigError(`revision ${rev} is ambiguous in the history of ${journal.subject} (${[...unique].join(', ')}); give more digits`);
  throw new NotFoundError(`no revision ${rev} in the history of ${journal.subject} in ${journal.store.toString()}; list them with \`statestore history ${journal.subject}\``, { url: journal.folder.toString() });
}

/** The recorded revision `rev` names, with the subject's files after it. */
export async function resolveRevision(store: VfsPath, cluster: string, rev: string, location: HistoryLocation = {}): Promise<ResolvedRevision> {
  const { signal } = location;
  const { journal } = await openJournal(store, cluster, location);
  return resolveIn(journal, rev, signal);
}

/** @internal resolveRevision in an open journal. */
export async function resolveIn(journal: SubjectJournal, rev: string, signal?: AbortSignal): Promise<ResolvedRevision> {
  const listed = await findListed(journal, rev, signal);
  const newest = await journal.readEntry(listed.entries[0]!, 'log', signal);
  return { id: listed.id, index: listed.index, entry: listed.entries[0]!, files: newest.files };
}

/** The net change of entries (oldest first) per file: added, changed or removed; files changed back are left out. */
function netChanges(changes: readonly FileChange[]): RevisionFile[] {
  const first = new Map<string, string | null>();
  const last = new Map<string, string | null>();
  for (const c of changes) {
    if (!first.has(c.path)) first.set(c.path, c.before);
    last.set(c.path, c.after);
  }
  const files: RevisionFile[] = [];
  for (const [path, before] of first) {
    const after = last.get(path)!;
    if (before === after) continue;
    files.push({ path, change: before === null ? 'added' : after === null ? 'removed' : 'changed' });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function revisionOf(listed: ListedRevision, entries: JournalEntry[]): Revision {
  const oldestFirst = [...entries].reverse();
  const attribution = oldestFirst.find((e) => e.attribution)?.attribution;
  const kind: RevisionKind = entries.some((e) => e.kind === 'unconfirmed') ? 'unconfirmed' : entries[0]!.kind;
  return {
    id: listed.id,
    index: listed.index,
    kind,
    time: entries[0]!.time,
    ...(attribution ? { attribution } : {}),
    files: netChanges(oldestFirst.flatMap((e) => e.changes)),
    entries: listed.entries,
  };
}

function unrecordedRevision(group: ObservedGroup, now: string): Revision {
  return {
    id: group.revision ?? '',
    kind: group.kind,
    time: group.time ?? now,
    ...(group.attribution ? { attribution: group.attribution } : {}),
    files: netChanges(group.changes),
    entries: [],
  };
}

/**
 * The history of `cluster` in `store`, newest first: what no entry records yet, then the recorded revisions
 * (a page of `limit`, from `from`). Reads only.
 */
export async function readHistory(store: VfsPath, cluster: string, options: ReadHistoryOptions = {}): Promise<HistoryView> {
  const { signal } = options;
  const { journal, settings } = await openJournal(store, cluster, options);
  const mode = settings.journal;
  const limit = options.limit ?? 20;
  const start = options.from ? (await findListed(journal, options.from, signal)).index : 0;
  const entriesOf = new Map<string, JournalEntry[]>();

  const revisions: Revision[] = [];
  let newest: { name: string; entry: JournalEntry } | undefined;
  let pending: ListedRevision[] = [];
  const readPending = async () => {
    const read = new Array<Revision>(pending.length);
    await runLimited([...pending.keys()], READS_AT_ONCE, async (i) => {
      const listed = pending[i]!;
      const entries = await Promise.all(listed.entries.map((name) => journal.readEntry(name, 'log', signal)));
      if (listed.index === 0) newest = { name: listed.entries[0]!, entry: entries[0]! };
      entriesOf.set(listed.id, entries);
      read[i] = revisionOf(listed, entries);
    });
    revisions.push(...read.filter((r) => !options.file || r.files.some((f) => f.path === options.file)));
    pending = [];
  };
  let next: string | undefined;
  for await (const listed of listRevisions(journal, signal)) {
    if (listed.index < start) continue;
    if (limit > 0 && revisions.length >= limit) {
      next = `@-${listed.index}`;
      break;
    }
    pending.push(listed);
    const wanted = limit > 0 && !options.file ? limit - revisions.length : READS_AT_ONCE * 4;
    if (pending.length >= wanted) await readPending();
  }
  await readPending();
  if (limit > 0 && revisions.length > limit) {
    next = `@-${revisions[limit]!.index}`;
    revisions.length = limit;
  }

  let unrecorded: Revision[] = [];
  let native: HistoryView['native'];
  let merged = revisions;
  if (start === 0) {
    const head = newest ? { name: newest.name, seq: newest.entry.seq, files: newest.entry.files } : await journal.head(signal);
    const seen = await journal.observe(head, signal);
    const now = new Date().toISOString();
    unrecorded = seen.groups.map((g) => unrecordedRevision(g, now)).reverse();
    if (keepsVersions(store)) {
      const paths = new Set([...Object.keys(seen.files), ...[...entriesOf.values()].flat().flatMap((e) => [...Object.keys(e.files), ...e.changes.map((c) => c.path)])]);
      try {
        const versions = await listNativeVersions(store, cluster, paths, signal);
        if (versions.size === 0) throw new NoVersions();
        const since = next && revisions.length > 0 ? Date.parse(revisions[revisions.length - 1]!.time) : undefined;
        merged = withNative(revisions, mergeNative(versions, revisions.map((r) => ({ id: r.id, entries: entriesOf.get(r.id) ?? [] })), since));
        unrecorded = unrecorded.filter((r) => r.kind !== 'outside'); // shown with the service's times among the revisions
        native = { read: true };
      } catch (e) {
        if (e instanceof NoVersions) native = undefined;
        else if (isPermissionDenied(e)) native = { read: false, reason: (e as Error).message };
        else throw e;
      }
    }
    if (options.file) {
      unrecorded = unrecorded.filter((r) => r.files.some((f) => f.path === options.file));
      merged = merged.filter((r) => r.files.some((f) => f.path === options.file));
    }
  }
  return { store: store.toString(), cluster, mode, unrecorded, revisions: merged, ...(native ? { native } : {}), ...(next ? { next } : {}) };
}

/** The service keeps no versions of the cluster's files (versioning off): the journal alone tells. */
class NoVersions extends Error {
  constructor() {
    super('the service keeps no versions of these files (versioning is off)');
  }
}

/**
 * Journal revisions with their native versions (a change made outside Statestore takes the time the service
 * stored it), and the versions the journal does not know as revisions of their own, in time order.
 */
function withNative(revisions: Revision[], merge: NativeMerge): Revision[] {
  const journal = revisions.map((r) => {
    const versions = merge.byRevision.get(r.id);
    if (!versions) return r;
    const stored = versions.map((v) => v.time).filter((t): t is string => t !== undefined).sort();
    return { ...r, native: versions, ...(r.kind === 'outside' && stored.length > 0 ? { time: stored[stored.length - 1]! } : {}) };
  });
  const service = merge.outside.map((g) => ({
    revision: { id: g.versions[0]!.versionId, kind: 'outside', time: g.time, files: g.files, entries: [], native: g.versions } satisfies Revision,
    // Placed newer than the revisions it follows, also when the service stored it within the same (whole) second.
    at: Math.max(Date.parse(g.time), ...g.follows.map((id) => Date.parse(journal.find((r) => r.id === id)?.time ?? '') + 1).filter((t) => !Number.isNaN(t))),
  }));
  const out: Revision[] = [];
  let j = 0;
  for (const { revision, at } of service) {
    while (j < journal.length && Date.parse(journal[j]!.time) >= at) out.push(journal[j++]!);
    out.push(revision);
  }
  return [...out, ...journal.slice(j)];
}
