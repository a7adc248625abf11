/**
 * history/journal-entry owns the one record the journal keeps, as JSON: a log entry (and, before the write it
 * describes, the same record as an intent). An entry names its revision (the Statestore command, or an
 * observation of changes made outside Statestore), who made it and why, the files it changed (sha256 before and
 * after, null for absent), and the whole state of its subject afterwards (every file's sha256, size and version
 * token), so that the state at any revision is one read. Entries are immutable; `parent` names the entry the
 * writer saw as the newest.
 */
import { InvalidConfigError } from '../errors/errors.js';

export const JOURNAL_FORMAT = 'statestore.journal/v1';

/**
 * `statestore`: written by a Statestore command, confirmed by its log entry. `unconfirmed`: a Statestore
 * command's change found in the store by a later observer (its writer stopped before the log entry).
 * `outside`: a change no Statestore command announced (kops, another tool, a write while history was off).
 */
export type RevisionKind = 'statestore' | 'outside' | 'unconfirmed';

/** Who made a revision, from where, and why. */
export interface Attribution {
  /** The OS user. */
  user?: string;
  host?: string;
  /** `git config user.email`, when set. */
  email?: string;
  /** $STATESTORE_ACTOR (CI jobs, bots). */
  actor?: string;
  /** The command line, secrets redacted. */
  command?: string;
  /** `-m/--message`. */
  message?: string;
}

/** One file of a subject's state. */
export interface FileState {
  sha256: string;
  size: number;
  /** The backend's version token (empty in an intent, before the write). */
  version: string;
}

/** One file an entry changed: sha256 before and after, null for absent. */
export interface FileChange {
  path: string;
  before: string | null;
  after: string | null;
}

export interface JournalEntry {
  format: typeof JOURNAL_FORMAT;
  seq: number;
  /** The entry the writer saw as the newest (null for the first). */
  parent: string | null;
  revision: string;
  kind: RevisionKind;
  /** When the change was made, ISO 8601 on the writer's clock (unconfirmed: its intent's time; outside: when first seen). */
  time: string;
  attribution?: Attribution;
  changes: FileChange[];
  /** The subject's files after this entry, by path relative to the subject folder. */
  files: Record<string, FileState>;
}

export function stringifyEntry(entry: JournalEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** Parses an entry, refusing anything that is not one (the journal is read by every writer; a bad entry must not mislead). */
export function parseEntry(text: string, url: string): JournalEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidConfigError(`${url} is not a journal entry (${(e as Error).message}); it was not written by Statestore, or was damaged`, { url });
  }
  const entry = value as Partial<JournalEntry>;
  const valid =
    entry !== null &&
    typeof entry === 'object' &&
    entry.format === JOURNAL_FORMAT &&
    typeof entry.seq === 'number' &&
    typeof entry.revision === 'string' &&
    typeof entry.time === 'string' &&
    Array.isArray(entry.changes) &&
    entry.files !== null &&
    typeof entry.files === 'object';
  if (!valid) throw new InvalidConfigError(`${url} is not a ${JOURNAL_FORMAT} entry; it was not written by this version of Statestore, or was damaged`, { url });
  return entry as JournalEntry;
}
