/**
 * history/revision-snapshot owns reading a cluster as it was at a revision: a read-only driver that serves the
 * cluster folder's files from the journal (its listing from the revision's state, bytes from the blobs, checked
 * against their hashes), at the same keys and URLs as the store. Anything built on a store path — the cluster
 * registry, `diffStores` — reads a past revision the way it reads the present.
 */
import type { Backend, Capabilities, ListOptions, ListPage, ObjectInfo, ReadOptions, ReadResult } from '../backend/backend.js';
import { NotFoundError, UnsupportedError } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';
import { dirPrefix, joinKey } from '../url/keys.js';
import type { FileState } from './journal-entry.js';
import { openJournal, type HistoryLocation } from './history-store.js';
import { resolveIn, type ResolvedRevision } from './read-history.js';
import type { SubjectJournal } from './subject-journal.js';

const READ_ONLY: Readonly<Capabilities> = Object.freeze<Capabilities>({
  atomicCreate: false,
  compareAndSwap: false,
  conditionalDelete: false,
  versions: false,
  writeMetadata: false,
  acl: false,
  serverSideCopy: false,
  streaming: false,
  rangeReads: false,
  contentType: false,
  fileAndPrefix: true,
  hashes: ['sha256'],
  notes: ['a past revision from the history journal: read-only'],
});

class RevisionBackend implements Backend {
  readonly capabilities = READ_ONLY;
  private readonly keys: string[];

  constructor(
    private readonly store: VfsPath,
    private readonly journal: SubjectJournal,
    private readonly revision: ResolvedRevision,
  ) {
    const folder = this.folderKey();
    this.keys = Object.keys(revision.files)
      .map((path) => joinKey(folder, path))
      .sort();
  }

  private folderKey(): string {
    return joinKey(this.store.key, this.journal.subject);
  }

  private fileAt(key: string): FileState | undefined {
    const prefix = dirPrefix(this.folderKey());
    return key.startsWith(prefix) ? this.revision.files[key.slice(prefix.length)] : undefined;
  }

  private info(key: string, file: FileState): ObjectInfo {
    return { key, size: file.size, version: file.version, hashes: { sha256: file.sha256 } };
  }

  urlFor(key: string): string {
    return this.store.backend.urlFor(key);
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const file = this.fileAt(key);
    return file ? this.info(key, file) : undefined;
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const file = this.fileAt(key);
    if (!file) throw new NotFoundError(`${this.urlFor(key)} did not exist at revision ${this.revision.id}`, { url: this.urlFor(key) });
    const bytes = await this.journal.readBlob(file.sha256, options.signal);
    return { info: this.info(key, file), body: (async function* () {
      yield bytes;
    })() };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const objects: ObjectInfo[] = [];
    const prefixes = new Set<string>();
    for (const key of this.keys) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (options.delimiter && slash !== -1) prefixes.add(prefix + rest.slice(0, slash + 1));
      else objects.push(this.info(key, this.fileAt(key)!));
    }
    return { objects, prefixes: [...prefixes] };
  }

  async write(key: string): Promise<ObjectInfo> {
    throw this.readOnly(key);
  }

  async delete(key: string): Promise<void> {
    throw this.readOnly(key);
  }

  private readOnly(key: string): UnsupportedError {
    return new UnsupportedError(`${this.urlFor(key)} is read here as of revision ${this.revision.id}, which cannot be changed; to bring it back, use rollback`, { url: this.urlFor(key) });
  }
}

/**
 * The store root as it was at revision `rev` of `cluster` (only that cluster's folder is there), with the
 * revision it resolved to. Reads only.
 */
export async function openRevision(store: VfsPath, cluster: string, rev: string, location: HistoryLocation = {}): Promise<{ root: VfsPath; revision: ResolvedRevision }> {
  const { journal } = await openJournal(store, cluster, location);
  const revision = await resolveIn(journal, rev, location.signal);
  return { root: store.withBackend(new RevisionBackend(store, journal, revision)), revision };
}
