/**
 * history/journal-layer owns the driver layer that journals an operation's writes: wrapped around any driver
 * (`Operation.track`), it passes reads and listings through (observing the subject, reading only, before its
 * first read) and sends every write and delete of a file inside a subject folder of the operation's store
 * through that subject's recorder (blob → intent → the write → log entry). Keys outside the store, at its root, under `.statestore/`, and core's own lock and temporary
 * files pass through unrecorded. It offers no server-side copy, so a copy through it is a read and a write
 * (journaled when it lands in a subject folder).
 */
import type { Backend, DeleteManyResult, DeleteOptions, ListOptions, ObjectInfo, ReadOptions, WriteBody, WriteOptions } from '../backend/backend.js';
import { collect, sha256Hex } from '../path/body.js';
import { runLimited } from '../path/run-limited.js';
import type { SubjectRecorder } from './subject-recorder.js';

/** Where a key lies for the journal: its subject and its path inside the subject folder. */
export interface JournalTarget {
  subject: string;
  path: string;
}

/** What the layer needs from its operation. */
export interface JournalingOperation {
  readonly revision: string;
  /** The subject and path of a key of `backend`, or undefined when it is not journaled. */
  locate(backend: Backend, key: string): JournalTarget | undefined;
  /** The recorder of a subject; undefined when history is off in the store. */
  recorder(subject: string, signal?: AbortSignal, forWrite?: boolean): Promise<Pick<SubjectRecorder, 'record' | 'prepare'> | undefined>;
}

/** Write metadata naming the operation a write belongs to (where the backend keeps write metadata). */
export const OPERATION_METADATA = 'statestore-op';

const DELETES_AT_ONCE = 8;

export class JournalLayer implements Backend {
  readonly settleCapabilities: Backend['settleCapabilities'];

  constructor(
    readonly inner: Backend,
    private readonly op: JournalingOperation,
  ) {
    this.settleCapabilities = inner.settleCapabilities ? (options) => inner.settleCapabilities!(options) : undefined;
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  urlFor(key: string): string {
    return this.inner.urlFor(key);
  }

  async stat(key: string, options?: { signal?: AbortSignal }) {
    await this.prepare(key, options?.signal);
    return this.inner.stat(key, options);
  }

  async read(key: string, options?: ReadOptions) {
    await this.prepare(key, options?.signal);
    return this.inner.read(key, options);
  }

  /** Before the first read of a subject's file: the subject is observed (reads only), so a write soon after has less to do. */
  private async prepare(key: string, signal?: AbortSignal): Promise<void> {
    const target = this.op.locate(this.inner, key);
    const recorder = target && (await this.op.recorder(target.subject, signal, false));
    await recorder?.prepare(signal);
  }

  list(prefix: string, options?: ListOptions) {
    return this.inner.list(prefix, options);
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const target = this.op.locate(this.inner, key);
    const recorder = target && (await this.op.recorder(target.subject, options.signal));
    if (!target || !recorder) return this.inner.write(key, body, options);
    const bytes = body instanceof Uint8Array ? body : await collect(body);
    const sha256 = options.sha256 ?? sha256Hex(bytes);
    const metadata = options.metadata ? { ...options.metadata, [OPERATION_METADATA]: this.op.revision } : undefined;
    const expected = options.ifMatch ?? (options.ifNoneMatch ? 'absent' : undefined);
    return recorder.record(
      [{ path: target.path, after: { bytes, sha256 }, ...(expected !== undefined ? { expected } : {}) }],
      () => this.inner.write(key, bytes, { ...options, sha256, size: bytes.byteLength, ...(metadata ? { metadata } : {}) }),
      (info) => [{ path: target.path, version: info.version }],
      options.signal,
    );
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const target = this.op.locate(this.inner, key);
    const recorder = target && (await this.op.recorder(target.subject, options.signal));
    if (!target || !recorder) return this.inner.delete(key, options);
    return recorder.record(
      [{ path: target.path, after: null, ...(options.ifMatch !== undefined ? { expected: options.ifMatch } : {}) }],
      () => this.inner.delete(key, options),
      () => [{ path: target.path, version: null }],
      options.signal,
    );
  }

  /** Batch delete: keys of each subject are recorded as one entry; per-key errors are returned, as drivers do. */
  async deleteMany(keys: string[], options: { signal?: AbortSignal } = {}): Promise<DeleteManyResult> {
    const bySubject = new Map<string, { key: string; path: string }[]>();
    const untracked: string[] = [];
    for (const key of keys) {
      const target = this.op.locate(this.inner, key);
      if (!target) untracked.push(key);
      else bySubject.set(target.subject, [...(bySubject.get(target.subject) ?? []), { key, path: target.path }]);
    }
    const result: DeleteManyResult = await this.deleteKeys(untracked, options);
    for (const [subject, targets] of bySubject) {
      const batch = targets.map((t) => t.key);
      const recorder = await this.op.recorder(subject, options.signal);
      const outcome = recorder
        ? await recorder.record(
            targets.map((t) => ({ path: t.path, after: null })),
            () => this.deleteKeys(batch, options),
            (r) => targets.filter((t) => r.deleted.includes(t.key)).map((t) => ({ path: t.path, version: null })),
            options.signal,
          )
        : await this.deleteKeys(batch, options);
      result.deleted.push(...outcome.deleted);
      result.errors.push(...outcome.errors);
    }
    return result;
  }

  private async deleteKeys(keys: string[], options: { signal?: AbortSignal }): Promise<DeleteManyResult> {
    if (keys.length === 0) return { deleted: [], errors: [] };
    if (this.inner.deleteMany) return this.inner.deleteMany(keys, options);
    const result: DeleteManyResult = { deleted: [], errors: [] };
    await runLimited(keys, DELETES_AT_ONCE, async (key) => {
      try {
        await this.inner.delete(key, options);
        result.deleted.push(key);
      } catch (error) {
        result.errors.push({ key, error: error as Error });
      }
    });
    return result;
  }
}
