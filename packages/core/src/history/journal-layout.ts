/**
 * history/journal-layout owns where the journal lives in a store and how its objects are named. Everything is
 * under the reserved `.statestore/` folder at the store root, never inside a cluster folder: `history.json`
 * (the store's history settings) and, per subject (a cluster, or any first-level folder), `history/SUBJECT/`
 * with `blobs/SHA256` (file contents, by their hash), `intents/NAME` (what a writer is about to write) and
 * `log/NAME` (what it wrote). Entry names sort newest first (an inverted sequence number) and carry the id of
 * their revision, so a listing alone orders and groups them. No key ends in `/config`.
 */
import { randomBytes } from 'node:crypto';
import { InvalidConfigError } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';
import { RESERVED_FOLDER } from '../url/keys.js';

const SEQ_DIGITS = 12;
const SEQ_LIMIT = 10 ** SEQ_DIGITS - 1;
const ENTRY_NAME = /^(\d{12})-([0-9a-f]{12})\.(\d+)$/;

/** `.statestore/history.json`: whether the journal is on (and, later, where it is kept). */
export function historySettingsPath(store: VfsPath): VfsPath {
  return store.join(RESERVED_FOLDER, 'history.json');
}

/** A subject is one folder name of the store root: not empty, no `/`, not starting with `.`. */
export function assertSubject(subject: string): void {
  if (subject === '' || subject.includes('/') || subject.startsWith('.') || subject.includes('\0')) {
    throw new InvalidConfigError(`${JSON.stringify(subject)} is not a cluster name: history is kept per first-level folder of the store (a cluster name such as demo.example.com)`);
  }
}

/** `.statestore/history/SUBJECT/`. */
export function journalFolder(store: VfsPath, subject: string): VfsPath {
  assertSubject(subject);
  return store.join(RESERVED_FOLDER, 'history', subject);
}

export type JournalPart = 'log' | 'intents' | 'blobs';

/** The name of entry `index` of revision `revision` at sequence number `seq`: sorts newest first. */
export function entryName(seq: number, revision: string, index: number): string {
  if (!Number.isInteger(seq) || seq < 1 || seq > SEQ_LIMIT) throw new RangeError(`journal sequence number out of range: ${seq}`);
  return `${String(SEQ_LIMIT - seq).padStart(SEQ_DIGITS, '0')}-${revision}.${index}`;
}

/** The parts of an entry name, or undefined for a name the journal did not write. */
export function parseEntryName(name: string): { seq: number; revision: string; index: number } | undefined {
  const m = ENTRY_NAME.exec(name);
  if (!m) return undefined;
  return { seq: SEQ_LIMIT - Number(m[1]), revision: m[2]!, index: Number(m[3]) };
}

/** A fresh revision id: 12 lowercase hex digits. */
export function newRevisionId(): string {
  return randomBytes(6).toString('hex');
}
