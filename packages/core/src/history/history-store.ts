/**
 * history/history-store owns where a store's journal is kept: in the store itself (`.statestore/history/`), or
 * in a history store elsewhere (another bucket or account, `--history-store URL`) that the store's
 * `.statestore/history.json` names, so that every writer finds it and the loss of the state bucket's contents
 * does not take the history with it. The location asked for wins over the one recorded only where none is
 * recorded (the state bucket emptied, or the first write): a different one is refused, so the journal is never
 * split between two places by one operator's flag.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { dirPrefix } from '../url/keys.js';
import type { VfsPath } from '../path/vfs-path.js';
import { readHistorySettings, type HistorySettings } from './history-settings.js';
import { SubjectJournal } from './subject-journal.js';

/** Where the history of a store is read and written; every history function takes these. */
export interface HistoryLocation {
  /**
   * The history store asked for (`--history-store URL`): where the journal is kept when the store records no
   * other. Recorded in the store's history.json by the first write.
   */
  historyStore?: VfsPath;
  /** Opens the history store the store's history.json names (default: core's `resolvePath`). */
  open?: (url: string) => Promise<VfsPath>;
  signal?: AbortSignal;
}

/** The store's history settings and the root the journal lives under (the store itself, or the history store). */
export interface ResolvedHistory {
  settings: HistorySettings;
  journalRoot: VfsPath;
}

/** The journal root of `store` (reads history.json only). InvalidConfigError when the history store asked for differs from the one recorded. */
export async function resolveHistory(store: VfsPath, location: HistoryLocation = {}): Promise<ResolvedHistory> {
  const settings = await readHistorySettings(store, location.signal);
  const asked = location.historyStore;
  const recorded = settings.store;
  if (asked && asked.toString() !== store.toString()) {
    assertElsewhere(store, asked);
    if (recorded !== undefined && recorded !== asked.toString()) {
      throw new InvalidConfigError(
        `${store.toString()} keeps its history in ${recorded} (recorded in .statestore/history.json), not in ${asked.toString()}: leave out --history-store, or give that URL`,
        { url: store.toString() },
      );
    }
    return { settings, journalRoot: asked };
  }
  if (recorded === undefined) return { settings, journalRoot: store };
  const open = location.open ?? (async (url: string) => (await import('../resolve.js')).resolvePath(url));
  return { settings, journalRoot: await open(recorded) };
}

/** A history store inside the state store (or around it) would be listed, synced and journaled as state: refused. */
function assertElsewhere(store: VfsPath, history: VfsPath): void {
  const a = store.toString();
  const b = history.toString();
  if (b.startsWith(dirPrefix(a)) || a.startsWith(dirPrefix(b))) {
    throw new InvalidConfigError(`the history store ${b} lies inside or around the state store ${a}: give another bucket (or account), or leave out --history-store to keep history in ${a}/.statestore`, { url: b });
  }
}

/** The journal of `subject` (a cluster) of `store`, wherever it is kept, with the store's settings. Reads only. */
export async function openJournal(store: VfsPath, subject: string, location: HistoryLocation = {}): Promise<{ journal: SubjectJournal; settings: HistorySettings }> {
  const { settings, journalRoot } = await resolveHistory(store, location);
  return { journal: new SubjectJournal(store, subject, journalRoot), settings };
}
