/**
 * history/operation owns the revision one command (or one library call) makes: its id, its attribution, and
 * the journaling of its writes. `track(path)` gives a path through which every write inside a subject folder
 * of the store is journaled; nothing is read or written for the journal until the first such write (so a
 * command that only reads never writes). At that first write the store's history settings are read — and
 * set, when the operation was asked for another mode ($STATESTORE_HISTORY) — so every writer agrees.
 */
import type { Backend } from '../backend/backend.js';
import type { Logger } from '../path/store-context.js';
import type { VfsPath } from '../path/vfs-path.js';
import { dirPrefix, isInternalKey } from '../url/keys.js';
import { collectAttribution, describeAuthor } from './attribution.js';
import { readHistorySettings, writeHistoryMode, type HistoryMode } from './history-settings.js';
import type { Attribution } from './journal-entry.js';
import { JournalLayer, type JournalingOperation, type JournalTarget } from './journal-layer.js';
import { newRevisionId } from './journal-layout.js';
import { SubjectJournal } from './subject-journal.js';
import { SubjectRecorder } from './subject-recorder.js';

export interface OperationOptions {
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
  private mode: Promise<HistoryMode> | undefined;
  private readonly recorders = new Map<string, Promise<SubjectRecorder | undefined>>();
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

  /** The store's history mode for this operation (settings read once; set first when another mode was asked for). */
  historyMode(signal?: AbortSignal): Promise<HistoryMode> {
    this.mode ??= (async () => {
      const settings = await readHistorySettings(this.store, signal);
      const wanted = this.options.history;
      if (!wanted || wanted === settings.journal) return settings.journal;
      await writeHistoryMode(this.store, wanted, describeAuthor(await this.attribution()) || undefined, signal);
      this.logger.log(0, `history is now ${wanted} for every writer of ${this.store.toString()} (recorded in .statestore/history.json)`);
      return wanted;
    })();
    this.mode.catch(() => {
      this.mode = undefined;
    });
    return this.mode;
  }

  /** @internal the recorder of a subject for this operation; undefined when history is off. */
  recorder(subject: string, signal?: AbortSignal): Promise<SubjectRecorder | undefined> {
    let recorder = this.recorders.get(subject);
    if (!recorder) {
      recorder = (async () => {
        if ((await this.historyMode(signal)) === 'off') return undefined;
        return new SubjectRecorder(new SubjectJournal(this.store, subject), { revision: this.revision, attribution: () => this.attribution(), logger: this.logger });
      })();
      recorder.catch(() => this.recorders.delete(subject));
      this.recorders.set(subject, recorder);
    }
    return recorder;
  }
}
