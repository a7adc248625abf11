/**
 * backends/memfs owns `memfs://`, the in-process store for tests and dry runs. Every operation runs to
 * completion synchronously once its body is in hand, so concurrent callers see atomic create and
 * compare-and-swap; bytes are copied on the way in and out, so callers can never mutate what is stored.
 */
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { Backend, Capabilities, ListOptions, ListPage, ObjectInfo, ReadOptions, ReadResult, WriteBody, WriteOptions } from '../../backend/backend.js';
import { freezeCapabilities } from '../../backend/capabilities.js';
import { pageOfSortedKeys } from '../../driver-kit/list-pager.js';
import { bytesBody, collectBody } from '../../driver-kit/streams.js';
import { AlreadyExistsError, NotFoundError, PreconditionFailedError } from '../../errors/errors.js';
import { formatObjectUrl } from '../../url/keys.js';

interface Entry {
  data: Uint8Array;
  info: ObjectInfo;
}

const capabilities: Readonly<Capabilities> = freezeCapabilities({
  atomicCreate: true,
  compareAndSwap: true,
  conditionalDelete: true,
  versions: false,
  writeMetadata: true,
  acl: false,
  serverSideCopy: true,
  streaming: false,
  rangeReads: true,
  contentType: true,
  fileAndPrefix: true,
  hashes: ['md5', 'sha256'],
});

export class MemfsBackend implements Backend {
  readonly capabilities = capabilities;
  readonly serviceId = `memfs:${randomUUID()}`;
  private readonly entries = new Map<string, Entry>();
  private sortedKeys: string[] | undefined;
  private counter = 0;

  urlFor(key: string): string {
    return formatObjectUrl('memfs', '', key).replace('memfs:///', 'memfs://');
  }

  async stat(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    options.signal?.throwIfAborted();
    const e = this.entries.get(key);
    return e ? copyInfo(e.info) : undefined;
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    options.signal?.throwIfAborted();
    const e = this.entries.get(key);
    if (!e) throw new NotFoundError(`File not found: ${this.urlFor(key)}`);
    const { start = 0, end = e.data.byteLength - 1 } = options.range ?? {};
    return { info: copyInfo(e.info), body: bytesBody(e.data.slice(start, end + 1)) };
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const data = (await collectBody(body, { signal: options.signal })).slice();
    // An aborted write leaves no trace, even when the body had already been read in full.
    options.signal?.throwIfAborted();
    // From here on nothing awaits: the check and the store happen in one turn of the event loop.
    const existing = this.entries.get(key);
    if (options.ifNoneMatch === '*' && existing) throw new AlreadyExistsError(`File already exists: ${this.urlFor(key)}`);
    if (options.ifMatch !== undefined && existing?.info.version !== options.ifMatch) {
      throw new PreconditionFailedError(`${this.urlFor(key)} changed since version ${options.ifMatch} was read`);
    }
    const info: ObjectInfo = {
      key,
      size: data.byteLength,
      version: String(++this.counter),
      modified: new Date(),
      hashes: { md5: createHash('md5').update(data).digest('hex'), sha256: createHash('sha256').update(data).digest('hex') },
      ...(options.contentType ? { contentType: options.contentType } : {}),
      ...(options.metadata ? { metadata: { ...options.metadata } } : {}),
    };
    if (!existing) this.sortedKeys = undefined;
    this.entries.set(key, { data, info });
    return copyInfo(info);
  }

  async delete(key: string, options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const existing = this.entries.get(key);
    if (options.ifMatch !== undefined) {
      if (!existing) throw new NotFoundError(`File not found: ${this.urlFor(key)}`);
      if (existing.info.version !== options.ifMatch) throw new PreconditionFailedError(`${this.urlFor(key)} changed since version ${options.ifMatch} was read`);
    }
    if (existing) {
      this.entries.delete(key);
      this.sortedKeys = undefined;
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    options.signal?.throwIfAborted();
    this.sortedKeys ??= [...this.entries.keys()].sort();
    const page = pageOfSortedKeys(this.sortedKeys, prefix, options);
    return {
      objects: page.keys.map((k) => copyInfo(this.entries.get(k)!.info)),
      prefixes: page.prefixes,
      ...(page.nextPageToken !== undefined ? { nextPageToken: page.nextPageToken } : {}),
    };
  }

  async copy(sourceKey: string, targetKey: string, options: WriteOptions = {}): Promise<ObjectInfo> {
    options.signal?.throwIfAborted();
    const e = this.entries.get(sourceKey);
    if (!e) throw new NotFoundError(`File not found: ${this.urlFor(sourceKey)}`);
    return this.write(targetKey, e.data, { ...(options.ifNoneMatch ? { ifNoneMatch: options.ifNoneMatch } : {}), ...(e.info.contentType ? { contentType: e.info.contentType } : {}) });
  }

  /** Number of files held (for tests). */
  get size(): number {
    return this.entries.size;
  }
}

function copyInfo(info: ObjectInfo): ObjectInfo {
  return { ...info, ...(info.hashes ? { hashes: { ...info.hashes } } : {}), ...(info.metadata ? { metadata: { ...info.metadata } } : {}) };
}

let shared: MemfsBackend | undefined;

/** The process-wide memfs store that `memfs://` URLs open. */
export function sharedMemfs(): MemfsBackend {
  return (shared ??= new MemfsBackend());
}

/** Drops everything in the process-wide memfs store (tests). */
export function resetMemfs(): void {
  shared = new MemfsBackend();
}
