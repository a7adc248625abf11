/**
 * path/ owns VfsPath, the portable type users call. Every generic algorithm lives here once: pagination,
 * recursion, retries, compare-and-swap loops, the lock fallback, batch deletes, copying, hashing.
 */
import { Readable } from 'node:stream';
import type { ObjectInfo, WriteBody, WriteOptions } from '../backend/backend.js';
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  StatestoreError,
  UnsupportedError,
  isAlreadyExists,
  isNotFound,
  isPreconditionFailed,
} from '../errors/errors.js';
import { withUrl } from '../errors/with-url.js';
import { backoffDelay, sleep, withRetry } from '../retry/retry.js';
import { dirPrefix, isInternalKey, joinKey, normalizeKey } from '../url/keys.js';
import { bytesEqual, collect, hashStream, sha256Hex, toReadable, toWriteBody, type FileData } from './body.js';
import { acquireLock } from './lock.js';
import type { StoreContext } from './store-context.js';

/** A directory entry from `readDir`. */
export interface DirEntry {
  name: string;
  path: VfsPath;
  isDirectory: boolean;
}

/** What `stat` reports. */
export interface FileStat {
  size: number;
  modified?: Date;
  /** Opaque version token (ETag, generation, …). */
  version: string;
  /** A content hash the service reported, as `algorithm:hex`, when cheap. */
  hash?: string;
}

export interface WriteFileOptions {
  acl?: string;
  contentType?: string;
  signal?: AbortSignal;
}

export interface UpdateFileOptions {
  /** Keep retrying lost races until this many ms have passed (default 30 000). */
  deadlineMs?: number;
  signal?: AbortSignal;
}

/** The function `updateFile` calls: gets the current bytes (undefined if absent), returns new bytes or undefined to leave it. */
export type UpdateFn = (current: Uint8Array | undefined) => FileData | undefined | Promise<FileData | undefined>;

/** A `Resolver` turns a URL string into a VfsPath (resolvePath); copyTo uses it for string targets. */
export type Resolver = (url: string) => Promise<VfsPath>;

let resolver: Resolver | undefined;
/** @internal set by resolvePath's module so that copyTo(string) works without a circular import. */
export function setResolver(r: Resolver): void {
  resolver = r;
}

const BATCH_DELETE = 1000;

export class VfsPath {
  /** Info from the listing this path came from, if any (size, version, hashes): saves a stat. */
  readonly listed: ObjectInfo | undefined;

  constructor(
    private readonly ctx: StoreContext,
    /** The key inside the backend. */
    readonly key: string,
    listed?: ObjectInfo,
  ) {
    this.listed = listed;
  }

  /** The driver behind this path (for plugins and tools that need capabilities). */
  get backend() {
    return this.ctx.backend;
  }

  /** A child path. Parts may contain `/`; `.`, `..` and NUL are refused, so a path never leaves its store. */
  join(...parts: string[]): VfsPath {
    const rest = normalizeKey(parts, this.toString());
    return new VfsPath(this.ctx, joinKey(this.key, rest));
  }

  /** The parent path, or undefined at the root of the store (bucket, container, …). */
  parent(): VfsPath | undefined {
    if (this.key === '') return undefined;
    const i = this.key.lastIndexOf('/');
    return new VfsPath(this.ctx, i === -1 ? '' : this.key.slice(0, i));
  }

  /** The last segment of the key (empty at a bucket root). */
  base(): string {
    return this.key.slice(this.key.lastIndexOf('/') + 1);
  }

  /** The canonical URL. Parsing it with resolvePath gives this same path. */
  toString(): string {
    return this.ctx.backend.urlFor(this.key);
  }

  toJSON(): string {
    return this.toString();
  }

  /** The key relative to `ancestor` (e.g. `instancegroup/nodes`), or undefined if not below it. */
  relativeTo(ancestor: VfsPath): string | undefined {
    if (ancestor.ctx.backend !== this.ctx.backend) return undefined;
    if (ancestor.key === '') return this.key;
    return this.key.startsWith(`${ancestor.key}/`) ? this.key.slice(ancestor.key.length + 1) : undefined;
  }

  private fail(error: unknown, action: string): StatestoreError {
    return withUrl(error, this.toString(), action);
  }

  private retry<T>(op: (ctx: { outcomeUnknown: boolean }) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(op, this.ctx.retry, signal, (e, attempt, delay) =>
      this.ctx.logger.log(2, `retrying ${this.toString()} after attempt ${attempt} in ${delay} ms: ${e.message}`),
    );
  }

  async stat(options: { signal?: AbortSignal } = {}): Promise<FileStat> {
    const info = await this.statInfo(options.signal);
    if (!info) throw new NotFoundError(`File not found: ${this.toString()}; check the path, or list its folder`, { url: this.toString() });
    return toFileStat(info);
  }

  /** Object info or undefined; the raw driver view. */
  async statInfo(signal?: AbortSignal): Promise<ObjectInfo | undefined> {
    try {
      return await this.retry(() => this.ctx.backend.stat(this.key, { signal }), signal);
    } catch (e) {
      throw this.fail(e, 'Cannot stat');
    }
  }

  async exists(): Promise<boolean> {
    return (await this.statInfo()) !== undefined;
  }

  /** The whole file. NotFoundError if it is missing. */
  async readFile(options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    return (await this.readWithInfo(options.signal)).bytes;
  }

  /** The whole file as UTF-8 text. */
  async readText(options: { signal?: AbortSignal } = {}): Promise<string> {
    return new TextDecoder().decode(await this.readFile(options));
  }

  private async readWithInfo(signal?: AbortSignal): Promise<{ bytes: Uint8Array; info: ObjectInfo }> {
    try {
      return await this.retry(async () => {
        const { info, body } = await this.ctx.backend.read(this.key, { signal });
        return { bytes: await collect(body), info };
      }, signal);
    } catch (e) {
      throw this.fail(e, 'Cannot read');
    }
  }

  /** A stream of the file's bytes (opening is retried; a failure mid-stream surfaces as a stream error). */
  async readStream(options: { signal?: AbortSignal; range?: { start: number; end?: number } } = {}): Promise<Readable> {
    try {
      const { body } = await this.retry(() => this.ctx.backend.read(this.key, options), options.signal);
      return toReadable(body);
    } catch (e) {
      throw this.fail(e, 'Cannot read');
    }
  }

  /** Creates or replaces the file. */
  async writeFile(data: FileData, options: WriteFileOptions = {}): Promise<FileStat> {
    return toFileStat(await this.write(toWriteBody(data), options, {}));
  }

  /** Creates the file; AlreadyExistsError (and nothing written) if it exists. Atomic where the backend declares atomicCreate. */
  async createFile(data: FileData, options: WriteFileOptions = {}): Promise<FileStat> {
    return toFileStat(await this.write(toWriteBody(data), options, { ifNoneMatch: '*' }));
  }

  /**
   * One write, retried on Transient errors when the body is bytes. A conditional write whose response
   * was lost and whose retry then meets a precondition failure is settled by reading back: if the stored
   * bytes are ours, the first attempt landed and this is a success, not a conflict.
   */
  private async write(body: WriteBody, options: WriteFileOptions, conditions: Pick<WriteOptions, 'ifMatch' | 'ifNoneMatch'>): Promise<ObjectInfo> {
    const bytes = body instanceof Uint8Array ? body : undefined;
    const writeOptions: WriteOptions = {
      ...conditions,
      acl: options.acl,
      contentType: options.contentType,
      signal: options.signal,
      ...(bytes ? { size: bytes.byteLength, sha256: sha256Hex(bytes) } : {}),
    };
    const attempt = async ({ outcomeUnknown }: { outcomeUnknown: boolean }) => {
      try {
        return await this.ctx.backend.write(this.key, body, writeOptions);
      } catch (e) {
        const conditional = conditions.ifMatch !== undefined || conditions.ifNoneMatch !== undefined;
        if (bytes && outcomeUnknown && conditional && (isPreconditionFailed(e) || isAlreadyExists(e))) {
          const stored = await this.readWithInfo(options.signal).catch(() => undefined);
          if (stored && bytesEqual(stored.bytes, bytes)) {
            this.ctx.logger.log(1, `${this.toString()}: an earlier attempt's response was lost, but it was applied (content matches)`);
            return stored.info;
          }
        }
        throw e;
      }
    };
    try {
      if (!bytes) return await attempt({ outcomeUnknown: false });
      return await this.retry(attempt, options.signal);
    } catch (e) {
      if (isAlreadyExists(e)) throw this.fail(new AlreadyExistsError(`File already exists: ${this.toString()}; read it, or remove it first`), 'Cannot create');
      throw this.fail(e, 'Cannot write');
    }
  }

  /**
   * Read–modify–write without lost updates. Uses the backend's compare-and-swap, else a lock object
   * built on atomic create, else refuses with UnsupportedError. Lost races are retried (with jitter)
   * until the deadline; then ConflictError.
   */
  async updateFile(fn: UpdateFn, options: UpdateFileOptions = {}): Promise<Uint8Array | undefined> {
    const caps = this.ctx.backend.capabilities;
    if (caps.compareAndSwap) return this.updateWithCompareAndSwap(fn, options);
    if (caps.atomicCreate) return this.updateUnderLock(fn, options);
    throw new UnsupportedError(
      `Cannot update ${this.toString()} safely: this backend has neither compare-and-swap nor atomic create, so concurrent writers could lose updates. Use writeFile if you accept that, or a backend that supports one of them.`,
      { url: this.toString() },
    );
  }

  /** The bytes and the version read, or undefined when the file does not exist. */
  private readCurrent(signal?: AbortSignal): Promise<{ bytes: Uint8Array; info: ObjectInfo } | undefined> {
    return this.readWithInfo(signal).catch((e) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
  }

  private async updateWithCompareAndSwap(fn: UpdateFn, options: UpdateFileOptions): Promise<Uint8Array | undefined> {
    const deadline = Date.now() + (options.deadlineMs ?? this.ctx.updateDeadlineMs);
    for (let round = 1; ; round++) {
      const current = await this.readCurrent(options.signal);
      const next = await fn(current?.bytes);
      if (next === undefined) return current?.bytes;
      const bytes = await bodyBytes(next);
      try {
        await this.write(bytes, { signal: options.signal }, current ? { ifMatch: current.info.version } : { ifNoneMatch: '*' });
        return bytes;
      } catch (e) {
        if (!(isPreconditionFailed(e) || isAlreadyExists(e))) throw e;
        await this.waitBeforeNextRound(round, deadline, options.signal);
      }
    }
  }

  private async updateUnderLock(fn: UpdateFn, options: UpdateFileOptions): Promise<Uint8Array | undefined> {
    const deadline = Date.now() + (options.deadlineMs ?? this.ctx.updateDeadlineMs);
    const lock = await acquireLock(this, this.ctx, deadline, options.signal);
    try {
      for (let round = 1; ; round++) {
        const current = await this.readCurrent(options.signal);
        const next = await fn(current?.bytes);
        if (next === undefined) return current?.bytes;
        const bytes = await bodyBytes(next);
        // The lock excludes other updateFile callers only. A plain write or remove (which takes no lock)
        // may have changed the file meanwhile: then read again rather than overwrite it or bring it back.
        const now = await this.statInfo(options.signal);
        if (now?.version !== current?.info.version) {
          await this.waitBeforeNextRound(round, deadline, options.signal);
          continue;
        }
        await this.write(bytes, { signal: options.signal }, {});
        return bytes;
      }
    } finally {
      await lock.release();
    }
  }

  /** @internal backoff between lost rounds, or ConflictError after the deadline. */
  async waitBeforeNextRound(round: number, deadline: number, signal?: AbortSignal): Promise<void> {
    const delay = backoffDelay({ baseDelayMs: 20, maxDelayMs: 1_000 }, Math.min(round, 8));
    if (Date.now() + delay > deadline) {
      throw new ConflictError(
        `Gave up updating ${this.toString()} after ${round} rounds: other writers kept changing it. Try again, or raise the deadline.`,
        { url: this.toString() },
      );
    }
    await sleep(delay, signal);
  }

  /** Removes the file. A missing file is not an error. */
  async remove(options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.retry(() => this.ctx.backend.delete(this.key, options), options.signal);
    } catch (e) {
      throw this.fail(e, 'Cannot remove');
    }
  }

  /** Removes this file and everything below it (never siblings that merely share the name as a prefix). */
  async removeAll(options: { signal?: AbortSignal } = {}): Promise<number> {
    const keys: string[] = [];
    for await (const p of this.walk({ includeInternal: true, signal: options.signal })) keys.push(p.key);
    if (this.key !== '' && (await this.statInfo(options.signal))) keys.push(this.key);
    const failures: { key: string; error: Error }[] = [];
    const backend = this.ctx.backend;
    for (let i = 0; i < keys.length; i += BATCH_DELETE) {
      const batch = keys.slice(i, i + BATCH_DELETE);
      if (backend.deleteMany) {
        const result = await this.retry(() => backend.deleteMany!(batch, options), options.signal).catch((e) => {
          throw this.fail(e, 'Cannot remove everything under');
        });
        failures.push(...result.errors);
      } else {
        await runLimited(batch, 8, async (key) => {
          await this.retry(() => backend.delete(key, options), options.signal).catch((error: Error) => failures.push({ key, error }));
        });
      }
    }
    if (failures.length > 0) {
      const sample = failures
        .slice(0, 5)
        .map((f) => `${backend.urlFor(f.key)}: ${f.error.message}`)
        .join('; ');
      throw this.fail(
        new StatestoreError('Unknown', `${failures.length} of ${keys.length} files could not be removed (${sample}${failures.length > 5 ? '; …' : ''}). Fix the cause and run removeAll again.`),
        'Cannot remove everything under',
      );
    }
    return keys.length;
  }

  /** Direct children: files and directories, each marked, sorted by name. A missing folder lists as empty. */
  async readDir(options: { signal?: AbortSignal } = {}): Promise<DirEntry[]> {
    const prefix = dirPrefix(this.key);
    const entries: DirEntry[] = [];
    // A service may repeat a prefix on later pages (fake-gcs-server re-sends every prefix after the page
    // token); each directory is listed once.
    const directories = new Set<string>();
    let pageToken: string | undefined;
    try {
      do {
        const page = await this.retry(
          () => this.ctx.backend.list(prefix, { delimiter: '/', pageToken, pageSize: this.ctx.listPageSize, signal: options.signal }),
          options.signal,
        );
        for (const o of page.objects) {
          if (o.key === prefix || o.key.endsWith('/') || isInternalKey(o.key) || !o.key.startsWith(prefix)) continue;
          const name = o.key.slice(prefix.length);
          if (name.includes('/')) continue;
          entries.push({ name, path: new VfsPath(this.ctx, o.key, o), isDirectory: false });
        }
        for (const p of page.prefixes) {
          if (!p.startsWith(prefix)) continue;
          const name = p.slice(prefix.length).replace(/\/$/, '');
          if (name === '' || name.includes('/') || directories.has(name)) continue;
          directories.add(name);
          entries.push({ name, path: new VfsPath(this.ctx, joinKey(this.key, name)), isDirectory: true });
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
    } catch (e) {
      throw this.fail(e, 'Cannot list');
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : Number(a.isDirectory) - Number(b.isDirectory)));
  }

  /** Every file below this path (not directories, not folder placeholders). */
  async readTree(options: { signal?: AbortSignal } = {}): Promise<VfsPath[]> {
    const out: VfsPath[] = [];
    for await (const p of this.walk(options)) out.push(p);
    return out;
  }

  /** Every file below this path, page by page, for trees too large to hold. Each path carries its listing info. */
  async *walk(options: { signal?: AbortSignal; includeInternal?: boolean } = {}): AsyncGenerator<VfsPath> {
    const prefix = dirPrefix(this.key);
    let pageToken: string | undefined;
    do {
      let page;
      try {
        page = await this.retry(
          () => this.ctx.backend.list(prefix, { pageToken, pageSize: this.ctx.listPageSize, signal: options.signal }),
          options.signal,
        );
      } catch (e) {
        throw this.fail(e, 'Cannot list');
      }
      for (const o of page.objects) {
        if (o.key === prefix || o.key.endsWith('/') || !o.key.startsWith(prefix)) continue;
        if (!options.includeInternal && isInternalKey(o.key)) continue;
        yield new VfsPath(this.ctx, o.key, o);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** Lowercase hex digest. Uses the hash the service reports when it has it, else reads the file. */
  async hash(algorithm: 'md5' | 'sha256' = 'sha256', options: { signal?: AbortSignal } = {}): Promise<string> {
    let reported = this.listed?.hashes?.[algorithm];
    if (!reported) {
      const info = await this.statInfo(options.signal);
      if (!info) throw new NotFoundError(`File not found: ${this.toString()}; nothing to hash`, { url: this.toString() });
      reported = info.hashes?.[algorithm];
    }
    if (reported) return reported;
    return hashStream(await this.readStream(options), algorithm);
  }

  /**
   * Copies this file to `target` (a VfsPath or URL). Inside one service it copies server-side; otherwise
   * it streams (small files are buffered so the write can be retried).
   */
  async copyTo(target: VfsPath | string, options: WriteFileOptions & { ifNoneMatch?: '*' } = {}): Promise<FileStat> {
    const to = typeof target === 'string' ? await resolveTarget(target) : target;
    const source = this.ctx.backend;
    const dest = to.ctx.backend;
    const copyOptions = this.listed ? { ...options, sourceInfo: this.listed } : options;
    try {
      if (source === dest && source.copy && source.capabilities.serverSideCopy) {
        return toFileStat(await to.retry(() => source.copy!(this.key, to.key, copyOptions), options.signal));
      }
      if (dest.copyFrom && source.serviceId !== undefined && source.serviceId === dest.serviceId) {
        return toFileStat(await to.retry(() => dest.copyFrom!(source, this.key, to.key, copyOptions), options.signal));
      }
    } catch (e) {
      throw to.fail(e, `Cannot copy ${this.toString()} to`);
    }
    const info = this.listed ?? (await this.statInfo(options.signal));
    if (!info) throw new NotFoundError(`File not found: ${this.toString()}; nothing to copy`, { url: this.toString() });
    const conditions = options.ifNoneMatch ? { ifNoneMatch: '*' as const } : {};
    if (info.size <= SMALL_FILE) {
      return toFileStat(await to.write(await this.readFile(options), options, conditions));
    }
    return toFileStat(await to.write(await this.readStream(options), options, conditions));
  }

  /** Same backend and key. */
  equals(other: VfsPath): boolean {
    return this.toString() === other.toString();
  }
}

const SMALL_FILE = 8 * 1024 * 1024;

function toFileStat(info: ObjectInfo): FileStat {
  const hash = info.hashes?.sha256 ? `sha256:${info.hashes.sha256}` : info.hashes?.md5 ? `md5:${info.hashes.md5}` : undefined;
  return { size: info.size, version: info.version, ...(info.modified ? { modified: info.modified } : {}), ...(hash ? { hash } : {}) };
}

async function bodyBytes(data: FileData): Promise<Uint8Array> {
  const body = toWriteBody(data);
  return body instanceof Uint8Array ? body : collect(body);
}

async function resolveTarget(url: string): Promise<VfsPath> {
  if (!resolver) throw new UnsupportedError(`Cannot resolve ${url}: import resolvePath from @statestore/core first`);
  return resolver(url);
}

/** Runs `fn` over items with at most `limit` in flight. */
export async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

