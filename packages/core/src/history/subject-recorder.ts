/**
 * history/subject-recorder owns the write side of one subject's journal for one operation: before its first
 * write it records what changed since the newest entry (observations: outside Statestore, or unconfirmed), then
 * every write goes blob → intent → state write → log entry naming the version written, one at a time. A crash
 * between the state write and the log entry leaves the intent, which the next observer matches with what it
 * finds (unconfirmed); a crash before the state write leaves an intent that nothing matches (never shown). A
 * log entry that cannot be written is treated like that crash: this write stands, later writes of the
 * operation are refused, and the next observer records the change as unconfirmed.
 */
import { StatestoreError, isStatestoreError } from '../errors/errors.js';
import type { Logger } from '../path/store-context.js';
import type { Attribution, FileChange, FileState } from './journal-entry.js';
import { newRevisionId } from './journal-layout.js';
import type { Head, SubjectJournal } from './subject-journal.js';

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
  /** The newest entry as this operation knows it; undefined: observe the store before the next write. */
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
    let head = this.state ?? (await this.observe(undefined, signal));
    if (planned.some((p) => p.expected !== undefined && p.expected !== 'absent' && head.files[p.path]?.version !== p.expected)) {
      // The write replaces a version this operation has not seen: record what happened meanwhile first.
      head = await this.observe(head, signal);
    }
    for (const p of planned) if (p.after && !this.stored.has(p.after.sha256)) await this.storeBlob(p.after.bytes, p.after.sha256, signal);

    const changes: FileChange[] = planned.map((p) => ({ path: p.path, before: head.files[p.path]?.sha256 ?? null, after: p.after?.sha256 ?? null }));
    const intended = { ...head.files };
    for (const p of planned) setFile(intended, p.path, p.after ? { sha256: p.after.sha256, size: p.after.bytes.byteLength, version: '' } : null);
    const attribution = await this.op.attribution();
    const { name, entry } = this.journal.entryOn(head, { revision: this.op.revision, kind: 'statestore', attribution, changes, files: intended, index: this.entries++ });
    await this.journal.writeEntry('intents', name, entry, signal);

    let result: T;
    try {
      result = await write();
    } catch (e) {
      this.state = undefined; // the write may have landed: observe before the next one
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
   * Compares the store with the newest entry (read now when `head` is not given) and records what changed
   * since as observations: their blobs, then one log entry per group. Returns the new newest state.
   */
  private async observe(head: Head | undefined, signal?: AbortSignal): Promise<Head> {
    let state = head ?? (await this.journal.head(signal));
    for (const file of Object.values(state.files)) this.stored.add(file.sha256);
    const seen = await this.journal.observe(state, signal);
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
