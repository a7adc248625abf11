/**
 * history/subject-recorder owns the write side of one subject's journal for one operation: before its first
 * write it records what changed since the newest entry (observations: outside Statestore, or unconfirmed), then
 * every write goes blob → intent → state write → log entry naming the version written, one at a time. A crash
 * between the state write and the log entry leaves the intent, which the next observer matches with what it
 * finds (unconfirmed); a crash before the state write leaves an intent that nothing matches (never shown). A
 * log entry that cannot be written is treated like that crash: this write stands, later writes of the
 * operation are refused, and the next observer records the change as unconfirmed. What happens between a
 * caller's read and its compare-and-swap write is kept short: the store is observed before the first read
 * (`prepare`, which only reads), and a write that replaces a version the operation has not seen first moves
 * onto the newest entry (which names that version when another Statestore command wrote it).
 */
import { StatestoreError, isStatestoreError } from '../errors/errors.js';
import type { Logger } from '../path/store-context.js';
import type { Attribution, FileChange, FileState } from './journal-entry.js';
import { newRevisionId } from './journal-layout.js';
import type { Head, Observation, SubjectJournal } from './subject-journal.js';

/** One file a write changes: its new bytes (null: deleted), and the version it must replace when conditional. */
export interface IntendedChange {
  path: string;
  after: { bytes: Uint8Array; sha256: string } | null;
  /** The version token the write replaces (`ifMatch`), or 'absent' (`ifNoneMatch`); undefined for a blind write. */
  expected?: string;
}

/** What a write did to one file: the version it now has, or null when it was deleted. */
export interface Landed {
  path: string;
  version: string | null;
}

export interface RecorderContext {
  revision: string;
  attribution(): Promise<Attribution>;
  logger: Logger;
}

export class SubjectRecorder {
  /** What the store holds compared with the newest entry, found by reading only (before the first read or write). */
  private prepared: Promise<Observation> | undefined;
  /** The newest entry as this operation knows it; undefined: record the observation before the next write. */
  private state: Head | undefined;
  /** Hashes whose blobs are stored. */
  private readonly stored = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private broken: Error | undefined;
  private entries = 0;

  constructor(
    readonly journal: SubjectJournal,
    private readonly op: RecorderContext,
  ) {}

  /**
   * Runs `write` (the state write) journaled: `planned` says what it will change, `landed` what it did. Writes
   * of one subject are recorded one at a time, in order.
   */
  record<T>(planned: IntendedChange[], write: () => Promise<T>, landed: (result: T) => Landed[], signal?: AbortSignal): Promise<T> {
    const run = this.queue.then(() => this.recordNow(planned, write, landed, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async recordNow<T>(planned: IntendedChange[], write: () => Promise<T>, landed: (result: T) => Landed[], signal?: AbortSignal): Promise<T> {
    if (this.broken) {
      const cause = this.broken;
      throw new StatestoreError(
        isStatestoreError(cause) ? cause.code : 'Unknown',
        `Stopped before writing ${planned.map((p) => `${this.journal.subject}/${p.path}`).join(', ')}: the history entry of this command's previous write could not be written (${cause.message}). That write stands and shows as unconfirmed in \`statestore history ${this.journal.subject}\`; run the command again to finish.`,
        { url: this.journal.folder.toString(), cause },
      );
    }
    let head = this.state ?? (await this.recordObservation(await this.prepare(signal), signal));
    const unseen = (h: Head) => planned.some((p) => p.expected !== undefined && p.expected !== 'absent' && h.files[p.path]?.version !== p.expected);
    if (unseen(head)) {
      // The write replaces a version this operation has not seen: move onto the newest entry, and when that
      // does not name the version either, record what happened meanwhile.
      const newest = await this.journal.head(signal);
      head = newest.name !== head.name && !unseen(newest) ? this.adopt(newest) : await this.recordObservation(await this.journal.observe(newest, signal), signal);
    }
    const changes: FileChange[] = planned.map((p) => ({ path: p.path, before: head.files[p.path]?.sha256 ?? null, after: p.after?.sha256 ?? null }));
    const intended = { ...head.files };
    for (const p of planned) setFile(intended, p.path, p.after ? { sha256: p.after.sha256, size: p.after.bytes.byteLength, version: '' } : null);
    const attribution = await this.op.attribution();
    const { name, entry } = this.journal.entryOn(head, { revision: this.op.revision, kind: 'statestore', attribution, changes, files: intended, index: this.entries++ });
    // Blobs and intent at once (both only have to be stored before the state write).
    await Promise.all([
      ...planned.filter((p) => p.after && !this.stored.has(p.after.sha256)).map((p) => this.storeBlob(p.after!.bytes, p.after!.sha256, signal)),
      this.journal.writeEntry('intents', name, entry, signal),
    ]);

    let result: T;
    try {
      result = await write();
    } catch (e) {
      // The write may have landed: observe before the next one.
      this.state = undefined;
      this.prepared = undefined;
      throw e;
    }
    const done = new Map(landed(result).map((l) => [l.path, l.version]));
    if (done.size === 0) return result;
    const files = { ...head.files };
    for (const p of planned) {
      if (!done.has(p.path)) continue;
      const version = done.get(p.path);
      setFile(files, p.path, p.after && version !== null && version !== undefined ? { sha256: p.after.sha256, size: p.after.bytes.byteLength, version } : null);
    }
    const logged = { ...entry, changes: changes.filter((c) => done.has(c.path)), files: sortedFiles(files) };
    try {
      await this.journal.writeEntry('log', name, logged, signal);
    } catch (e) {
      this.broken = e as Error;
      this.op.logger.log(0, `warning: the history entry for ${[...done.keys()].map((p) => `${this.journal.subject}/${p}`).join(', ')} could not be written (${(e as Error).message}); the change stands and shows as unconfirmed`);
    }
    this.state = { name, seq: entry.seq, files: logged.files };
    return result;
  }

  /**
   * Compares the store with the newest entry, reading only (once per operation, or again after a failed
   * write); what it finds is recorded at the next write. The layer calls it before the first read of a file
   * of the subject, so that a read–modify–write does not observe between its read and its write.
   */
  prepare(signal?: AbortSignal): Promise<Observation> {
    void this.op.attribution().catch(() => undefined); // found now (git may take a moment), used at the first write
    // The newest entry and the subject's listing at once: one round trip less before the caller's first read.
    this.prepared ??= Promise.all([this.journal.head(signal), this.journal.listing(signal)]).then(([head, listed]) => this.journal.observe(head, signal, listed));
    this.prepared.catch(() => (this.prepared = undefined));
    return this.prepared;
  }

  /** Takes `head` as the newest state (its files' contents are stored). */
  private adopt(head: Head): Head {
    for (const file of Object.values(head.files)) this.stored.add(file.sha256);
    this.state = head;
    return head;
  }

  /** Records an observation: the blobs of what changed, then one log entry per group. Returns the new newest state. */
  private async recordObservation(seen: Observation, signal?: AbortSignal): Promise<Head> {
    let state = this.adopt(seen.head);
    for (const group of seen.groups) {
      for (const change of group.changes) if (change.after && !this.stored.has(change.after)) await this.storeBlob(seen.contents.get(change.after)!, change.after, signal);
      const files = { ...state.files };
      for (const change of group.changes) setFile(files, change.path, change.after ? seen.files[change.path]! : null);
      const { name, entry } = this.journal.entryOn(state, {
        revision: group.revision ?? newRevisionId(),
        kind: group.kind,
        ...(group.attribution ? { attribution: group.attribution } : {}),
        ...(group.time ? { time: group.time } : {}),
        changes: group.changes,
        files: sortedFiles(files),
        index: 0,
      });
      await this.journal.writeEntry('log', name, entry, signal);
      this.op.logger.log(1, `history of ${this.journal.subject}: recorded ${group.changes.length} change(s) ${group.kind === 'outside' ? 'made outside Statestore' : `of revision ${group.revision} (unconfirmed)`}`);
      state = { name, seq: entry.seq, files: entry.files };
    }
    // Version tokens refreshed without a change of content are kept too (the next entry records them).
    this.state = { ...state, files: seen.files };
    return this.state;
  }

  private async storeBlob(bytes: Uint8Array, sha256: string, signal?: AbortSignal): Promise<void> {
    await this.journal.writeBlob(bytes, signal);
    this.stored.add(sha256);
  }
}

function setFile(files: Record<string, FileState>, path: string, state: FileState | null): void {
  if (state) files[path] = state;
  else delete files[path];
}

function sortedFiles(files: Record<string, FileState>): Record<string, FileState> {
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
