/**
 * history/subject-journal owns reading and writing one subject's journal (a cluster's): its entries newest
 * first, its newest entry (the head), blobs by hash, intents, and `observe` — comparing the subject's files in
 * the store with the head to find what changed since without a log entry. Such a change is attributed to the
 * intent that announced exactly that content for that file after the head (`unconfirmed`: its writer stopped
 * between the state write and the log entry), else it is `outside` Statestore. A file is read only when its
 * version token differs from the head's; a change is reported only when its bytes differ, so what is reported
 * happened, and an intent whose write never landed is never reported.
 */
import { NotFoundError, isNotFound } from '../errors/errors.js';
import { sha256Hex } from '../path/body.js';
import { runLimited } from '../path/run-limited.js';
import type { ListingOptions, VfsPath } from '../path/vfs-path.js';
import { entryName, journalFolder, parseEntryName, type JournalPart } from './journal-layout.js';
import { JOURNAL_FORMAT, parseEntry, stringifyEntry, type Attribution, type FileChange, type FileState, type JournalEntry } from './journal-entry.js';

const READS_AT_ONCE = 8;

/** The newest entry, or the empty start of a subject without one. */
export interface Head {
  name: string | null;
  seq: number;
  files: Record<string, FileState>;
}

/** Changes found in the store that no log entry records, grouped by whom they are attributed to. */
export interface ObservedGroup {
  kind: 'outside' | 'unconfirmed';
  /** The revision of the intent that announced them (unconfirmed only). */
  revision?: string;
  attribution?: Attribution;
  /** When the intent was written (unconfirmed only). */
  time?: string;
  changes: FileChange[];
}

export interface Observation {
  head: Head;
  /** The subject's files as they are now. */
  files: Record<string, FileState>;
  /** What changed since the head, oldest first: unconfirmed groups in the order they were announced, then outside. */
  groups: ObservedGroup[];
  /** Bytes of every changed file read, by sha256 (for blobs). */
  contents: Map<string, Uint8Array>;
}

export class SubjectJournal {
  readonly folder: VfsPath;

  constructor(
    /** The store root (never a journaled view of it). */
    readonly store: VfsPath,
    readonly subject: string,
    /** Where the journal is kept: the store itself, or (issue 25) a history store named in its history.json. */
    journalRoot: VfsPath = store,
  ) {
    this.folder = journalFolder(journalRoot, subject);
  }

  /** The subject's folder in the store (e.g. `{store}/demo.example.com`). */
  get subjectFolder(): VfsPath {
    return this.store.join(this.subject);
  }

  part(part: JournalPart): VfsPath {
    return this.folder.join(part);
  }

  /**
   * Entry names, newest first, a listing page of `pageSize` at a time (small when only the newest are wanted);
   * names the journal did not write are skipped.
   */
  async *entryNames(part: 'log' | 'intents' = 'log', options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<string> {
    const folder = this.part(part);
    for await (const file of walkIfThere(folder, options)) {
      const name = file.relativeTo(folder)!;
      if (parseEntryName(name)) yield name;
    }
  }

  async readEntry(name: string, part: 'log' | 'intents' = 'log', signal?: AbortSignal): Promise<JournalEntry> {
    const path = this.part(part).join(name);
    return parseEntry(await path.readText(signal ? { signal } : {}), path.toString());
  }

  async writeEntry(part: 'log' | 'intents', name: string, entry: JournalEntry, signal?: AbortSignal): Promise<void> {
    await this.part(part).join(name).writeFile(stringifyEntry(entry), signal ? { signal } : {});
  }

  /** The newest entry (one listing page and one read), or the empty start. */
  async head(signal?: AbortSignal): Promise<Head> {
    for await (const name of this.entryNames('log', { pageSize: 1, ...(signal ? { signal } : {}) })) {
      const entry = await this.readEntry(name, 'log', signal);
      return { name, seq: entry.seq, files: entry.files };
    }
    return { name: null, seq: 0, files: {} };
  }

  async writeBlob(bytes: Uint8Array, signal?: AbortSignal): Promise<string> {
    const sha = sha256Hex(bytes);
    await this.part('blobs').join(sha).writeFile(bytes, signal ? { signal } : {});
    return sha;
  }

  /** A file's bytes as of a revision, checked against their hash. */
  async readBlob(sha: string, signal?: AbortSignal): Promise<Uint8Array> {
    const path = this.part('blobs').join(sha);
    let bytes: Uint8Array;
    try {
      bytes = await path.readFile(signal ? { signal } : {});
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(`the journal has lost ${path.toString()}: that content cannot be restored`, { url: path.toString(), cause: e });
      throw e;
    }
    if (sha256Hex(bytes) !== sha) throw new NotFoundError(`${path.toString()} does not hold the content it is named after (damaged): that content cannot be restored`, { url: path.toString() });
    return bytes;
  }

  /** Builds an entry on `head` (the caller writes it); `time` defaults to now. */
  entryOn(head: Head, fields: Omit<JournalEntry, 'format' | 'seq' | 'parent' | 'time'> & { index: number; time?: string }): { name: string; entry: JournalEntry } {
    const { index, time, ...rest } = fields;
    const seq = head.seq + 1;
    return { name: entryName(seq, rest.revision, index), entry: { format: JOURNAL_FORMAT, seq, parent: head.name, time: time ?? new Date().toISOString(), ...rest } };
  }

  /** The subject's files in the store with their version tokens (one listing). */
  async listing(signal?: AbortSignal): Promise<Map<string, string>> {
    const listed = new Map<string, string>();
    const folder = this.subjectFolder;
    for await (const file of walkIfThere(folder, signal ? { signal } : {})) listed.set(file.relativeTo(folder)!, file.listed?.version ?? '');
    return listed;
  }

  /**
   * What changed in the store since `head` (`listing`: the subject's files, listed by the caller alongside reading
   * the head). Reads the subject's listing, then the files whose version token
   * differs from the head's; intents are listed only when something changed.
   */
  async observe(head: Head, signal?: AbortSignal, listing?: Map<string, string>): Promise<Observation> {
    const listed = listing ?? (await this.listing(signal));
    const folder = this.subjectFolder;
    const files: Record<string, FileState> = {};
    const contents = new Map<string, Uint8Array>();
    const changes: FileChange[] = [];
    const toRead: string[] = [];
    for (const [path, version] of listed) {
      const known = head.files[path];
      if (known && version !== '' && known.version === version) files[path] = known;
      else toRead.push(path);
    }
    // A listing taken alongside the head may predate it: a file the head has and the listing lacks is read before
    // it is called removed (never a change that did not happen).
    if (listing) for (const path of Object.keys(head.files)) if (!listed.has(path)) toRead.push(path);
    await runLimited(toRead, READS_AT_ONCE, async (path) => {
      const read = await folder.join(path).readVersioned(signal ? { signal } : {});
      if (!read) return;
      const sha = sha256Hex(read.bytes);
      files[path] = { sha256: sha, size: read.bytes.byteLength, version: read.version };
      const before = head.files[path]?.sha256 ?? null;
      if (before === sha) return;
      contents.set(sha, read.bytes);
      changes.push({ path, before, after: sha });
    });
    for (const [path, state] of Object.entries(head.files)) if (!(path in files)) changes.push({ path, before: state.sha256, after: null });
    changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { head, files: sorted, groups: changes.length === 0 ? [] : await this.attribute(head, changes, signal), contents };
  }

  /** Groups changes by the intents (after the head) that announced them; the rest are outside Statestore. */
  private async attribute(head: Head, changes: FileChange[], signal?: AbortSignal): Promise<ObservedGroup[]> {
    const intents: { name: string; entry: JournalEntry }[] = [];
    for await (const name of this.entryNames('intents', { pageSize: 16, ...(signal ? { signal } : {}) })) {
      const seq = parseEntryName(name)!.seq;
      if (seq < head.seq) break;
      if (name === head.name) continue;
      intents.push({ name, entry: await this.readEntry(name, 'intents', signal) });
    }
    intents.reverse(); // oldest first: a later intent for the same file and content wins below
    const byRevision = new Map<string, ObservedGroup>();
    const outside: FileChange[] = [];
    for (const change of changes) {
      const announced = intents.filter(({ entry }) => entry.changes.some((c) => c.path === change.path && c.after === change.after)).pop();
      if (!announced) {
        outside.push(change);
        continue;
      }
      const { entry } = announced;
      const group = byRevision.get(entry.revision) ?? { kind: 'unconfirmed' as const, revision: entry.revision, ...(entry.attribution ? { attribution: entry.attribution } : {}), time: entry.time, changes: [] };
      group.changes.push(change);
      byRevision.set(entry.revision, group);
    }
    const groups = [...byRevision.values()];
    if (outside.length > 0) groups.push({ kind: 'outside', changes: outside });
    return groups;
  }
}

/**
 * The files below `folder`; none when the service says its bucket or container does not exist (a store not
 * written yet: its first write creates it).
 */
async function* walkIfThere(folder: VfsPath, options: ListingOptions): AsyncGenerator<VfsPath> {
  const files = folder.walk(options);
  let first: IteratorResult<VfsPath>;
  try {
    first = await files.next();
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  if (first.done) return;
  yield first.value;
  yield* files;
}
