/**
 * history/history-settings owns `.statestore/history.json`, the store's history settings, so that every writer
 * agrees: whether the journal is on (`STATESTORE_HISTORY=off` is recorded here by the first command that
 * writes with it) and where it is kept (`store`: a history store elsewhere, recorded by the first command that
 * writes with `--history-store`). Fields this version does not know are kept when it rewrites the file, which
 * is written private (the store's default: no public ACL, file mode 0600).
 */
import { InvalidConfigError, isNotFound } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';
import { historySettingsPath } from './journal-layout.js';

export type HistoryMode = 'on' | 'off';

export const HISTORY_ENV = 'STATESTORE_HISTORY';

export interface HistorySettings {
  /** Whether Statestore commands journal the changes they make (default on). */
  journal: HistoryMode;
  /** The URL of the history store the journal is kept in; absent: in this store, under `.statestore/history/`. */
  store?: string;
  /** When and by whom `journal` was last set. */
  changed?: { time: string; by?: string };
  [other: string]: unknown;
}

/** The mode asked for in $STATESTORE_HISTORY (`on`/`off`), undefined when unset; anything else is refused. */
export function historyModeFromEnv(env: NodeJS.ProcessEnv): HistoryMode | undefined {
  const value = env[HISTORY_ENV]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === 'on' || value === 'off') return value;
  throw new InvalidConfigError(`${HISTORY_ENV} must be "on" or "off", not ${JSON.stringify(env[HISTORY_ENV])}`);
}

/** The store's settings (journal on when the file does not exist). */
export async function readHistorySettings(store: VfsPath, signal?: AbortSignal): Promise<HistorySettings> {
  const path = historySettingsPath(store);
  let text: string;
  try {
    text = await path.readText(signal ? { signal } : {});
  } catch (e) {
    if (isNotFound(e)) return { journal: 'on' };
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidConfigError(`${path.toString()} is not JSON (${(e as Error).message}); fix or remove it`, { url: path.toString() });
  }
  const settings = value as Partial<HistorySettings>;
  if (typeof settings !== 'object' || settings === null || (settings.journal !== 'on' && settings.journal !== 'off')) {
    throw new InvalidConfigError(`${path.toString()} must hold {"journal": "on"} or {"journal": "off"}; fix or remove it`, { url: path.toString() });
  }
  if (settings.store !== undefined && (typeof settings.store !== 'string' || settings.store === '')) {
    throw new InvalidConfigError(`${path.toString()}: "store" must be the URL of the history store; fix or remove it`, { url: path.toString() });
  }
  return settings as HistorySettings;
}

/** Records `mode` in the store (a plain write: the last writer wins, as it would with any setting). */
export function writeHistoryMode(store: VfsPath, mode: HistoryMode, by?: string, signal?: AbortSignal): Promise<HistorySettings> {
  return writeHistorySettings(store, { journal: mode }, by, signal);
}

/** Records `changes` (the mode, the history store) in the store's settings, keeping the rest. */
export async function writeHistorySettings(store: VfsPath, changes: Partial<Pick<HistorySettings, 'journal' | 'store'>>, by?: string, signal?: AbortSignal): Promise<HistorySettings> {
  const current = await readHistorySettings(store, signal);
  const next: HistorySettings = { ...current, ...changes, changed: { time: new Date().toISOString(), ...(by ? { by } : {}) } };
  await historySettingsPath(store).writeFile(`${JSON.stringify(next, null, 2)}\n`, signal ? { signal } : {});
  return next;
}
