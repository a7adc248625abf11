/**
 * history/operation owns the revision one command (or one library call) makes: its id, its attribution, and
 * the journaling of its writes. `track(path)` gives a path through which every write inside a subject folder
 * of the store is journaled. Nothing is written for the journal before the first such write, so an operation
 * that only reads writes nothing; the journal is read before the first read of a subject's file, so that a
 * read–modify–write has little to do between its read and its write. Before the first write, the mode asked
 * for ($STATESTORE_HISTORY) and the history store asked for are recorded in the store's history settings when
 * they differ, so every writer agrees; the journal is kept where those settings say (history-store).
 */
import type { Backend } from '../backend/backend.js';
import type { Logger } from '../path/store-context.js';
import type { VfsPath } from '../path/vfs-path.js';
import { dirPrefix, isInternalKey } from '../url/keys.js';
import { collectAttribution, describeAuthor } from './attribution.js';
import { writeHistorySettings, type HistoryMode } from './history-settings.js';
import { resolveHistory, type HistoryLocation, type ResolvedHistory } from './history-store.js';
import type { Attribution } from './journal-entry.js';
import { JournalLayer, type JournalingOperation, type JournalTarget } from './journal-layer.js';
import { newRevisionId } from './journal-layout.js';
import { SubjectJournal } from './subject-journal.js';
import { SubjectRecorder } from './subject-recorder.js';

export interface OperationOptions extends Omit<HistoryLocation, 'signal'> {
  /** Who, from where and why (default: collected from this process when first needed: OS user, host, git email, $STATESTORE_ACTOR). */
  attribution?: Attribution | (() => Promise<Attribution>);
  /** The mode asked for ($STATESTORE_HISTORY); recorded in the store at the first write when it differs. Default: the store's. */
  history?: HistoryMode;
  logger?: Logger;
}

const quiet: Logger = { log: () => undefined };

export class Operation implements JournalingOperation {
  /** The id of the revision this operation makes (what `history` prints). */
  readonly revision = newRevisionId();
  private attributed: Promise<Attribution> | undefined;
  private stored: Promise<ResolvedHistory> | undefined;
  private modeRecorded: Promise<void> | undefined;
  private readonly recorders = new Map<string, SubjectRecorder>();
  private readonly logger: Logger;

  constructor(
    /** The store root whose subject folders are journaled. */
    readonly store: VfsPath,
    private readonly options: OperationOptions = {},
  ) {
    this.logger = options.logger ?? quiet;
  }

  /** Who made this revision (collected once, when first needed). */
  attribution(): Promise<Attribution> {
    const given = this.options.attribution;
    this.attributed ??= typeof given === 'function' ? given() : Promise.resolve(given ?? collectAttribution());
    return this.attributed;
  }

  /**
   * `path` with its writes journaled when it lies in this operation's store (the same path otherwise). A path
   * opened on its own inside the store (a cluster folder) is recognised: its driver names the store's root key
   * with the store's URL.
   */
  track(path: VfsPath): VfsPath {
    if (path.backend instanceof JournalLayer || !this.sameStore(path.backend)) return path;
    if (path.key !== this.store.key && !path.key.startsWith(dirPrefix(this.store.key))) return path;
    return path.withBackend(new JournalLayer(path.backend, this));
  }

  private sameStore(backend: Backend): boolean {
    return backend === this.store.backend || backend.urlFor(this.store.key) === this.store.toString();
  }

  /** @internal the subject and path of a key, when the journal records it. */
  locate(backend: Backend, key: string): JournalTarget | undefined {
    const prefix = dirPrefix(this.store.key);
    if (!key.startsWith(prefix) || !this.sameStore(backend)) return undefined;
    const relative = key.slice(prefix.length);
    const slash = relative.indexOf('/');
    if (slash <= 0 || relative.startsWith('.') || isInternalKey(relative)) return undefined;
    return { subject: relative.slice(0, slash), path: relative.slice(slash + 1) };
  }

  /** The store's history settings and journal root (read once). Reads only. */
  private resolved(signal?: AbortSignal): Promise<ResolvedHistory> {
    const { historyStore, open } = this.options;
    this.stored ??= resolveHistory(this.store, { ...(historyStore ? { historyStore } : {}), ...(open ? { open } : {}), ...(signal ? { signal } : {}) });
    this.stored.catch(() => (this.stored = undefined));
    return this.stored;
  }

  /** The mode this operation journals by: the one asked for, else the store's (read once). Reads only. */
  async historyMode(signal?: AbortSignal): Promise<HistoryMode> {
    return this.options.history ?? (await this.resolved(signal)).settings.journal;
  }

  /** Before the first write: records the mode and the history store asked for in the store when they differ (once). */
  private recordMode(signal?: AbortSignal): Promise<void> {
    this.modeRecorded ??= (async () => {
      const { settings, journalRoot } = await this.resolved(signal);
      const wanted = this.options.history;
      const changes = {
        ...(wanted && wanted !== settings.journal ? { journal: wanted } : {}),
        ...(this.options.historyStore && settings.store === undefined && journalRoot !== this.store ? { store: journalRoot.toString() } : {}),
      };
      if (Object.keys(changes).length === 0) return;
      await writeHistorySettings(this.store, changes, describeAuthor(await this.attribution()) || undefined, signal);
      if (changes.journal) this.logger.log(0, `history is now ${changes.journal} for every writer of ${this.store.toString()} (recorded in .statestore/history.json)`);
      if (changes.store) this.logger.log(0, `history of ${this.store.toString()} is kept in ${changes.store} for every writer (recorded in .statestore/history.json)`);
    })();
    this.modeRecorded.catch(() => (this.modeRecorded = undefined));
    return this.modeRecorded;
  }

  /**
   * @internal the recorder of a subject for this operation; undefined when history is off. `forWrite`: the
   * caller is about to write (the mode asked for is recorded first); otherwise nothing is written.
   */
  async recorder(subject: string, signal?: AbortSignal, forWrite = true): Promise<SubjectRecorder | undefined> {
    if (forWrite) await this.recordMode(signal);
    if ((await this.historyMode(signal)) === 'off') return undefined;
    const { journalRoot } = await this.resolved(signal);
    // No await between looking the recorder up and keeping it: concurrent first reads share one.
    let recorder = this.recorders.get(subject);
    if (!recorder) {
      recorder = new SubjectRecorder(new SubjectJournal(this.store, subject, journalRoot), { revision: this.revision, attribution: () => this.attribution(), logger: this.logger });
      this.recorders.set(subject, recorder);
    }
    return recorder;
  }
}
