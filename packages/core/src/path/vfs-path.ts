/**
 * path/ owns VfsPath, the portable type users call. Every generic algorithm lives here once: pagination,
 * recursion, retries, compare-and-swap loops, the lock fallback, batch deletes, copying, hashing.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Backend, Capabilities, ObjectInfo, SkippedEntry, WriteBody, WriteOptions } from '../backend/backend.js';
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  OutcomeUnknownError,
  StatestoreError,
  UnsupportedError,
  isAlreadyExists,
  isNotFound,
  isPreconditionFailed,
  isTransient,
} from '../errors/errors.js';
import { settledCapabilities } from '../backend/capabilities.js';
import { withUrl } from '../errors/with-url.js';
import { explainPlainHttpAnswer } from '../http/plain-http-answer.js';
import { observeRequests } from '../http/request-log.js';
import { deleteEach } from '../driver-kit/delete-each.js';
import { backoffDelay, sleep, withRetry } from '../retry/retry.js';
import { dirPrefix, isInternalKey, joinKey, normalizeKey } from '../url/keys.js';
import { bytesEqual, collect, hashStream, sha256Hex, toReadable, toWriteBody, type FileData } from './body.js';
import { acquireLease, type HeldLease } from './lease.js';
import { lockPathFor } from './lock.js';
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
  /** The write id of the write that made this version (backends with write metadata). */
  writeId?: string;
}

export interface WriteFileOptions {
  acl?: string;
  contentType?: string;
  /** Extra write metadata (kept where the backend has `capabilities.writeMetadata`). */
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

/** Options of listings: where entries that exist but cannot be listed as files are reported. */
export interface ListingOptions {
  signal?: AbortSignal;
  /** Entries per listing request (default: the store's page size); a small one when only the first few are wanted. */
  pageSize?: number;
  /** Called for each entry the listing cannot report as a file (default: a warning through the logger). */
  onSkipped?: (entry: SkippedEntry) => void;
}

const UNADDRESSABLE = 'its key has an empty, "." or ".." segment, which no Statestore path can name (rename it with the service\'s own tools)';

/** True when a key is what normalising it gives (so a path can name it, and a copy keeps its name). */
function isAddressable(key: string): boolean {
  return key === '' || !UNADDRESSABLE_KEY.test(key);
}

/**
 * What `normalizeKey` would change or refuse: an empty, `.` or `..` segment (a leading, trailing or double
 * `/` included) or a NUL. One test instead of a split per listed key (listings call this for every key).
 */
const UNADDRESSABLE_KEY = /(?:^|\/)\.{0,2}(?:\/|$)|\0/;

/** What `readVersioned` returns: the bytes and the version token they were read at. */
export interface VersionedContent {
  bytes: Uint8Array;
  version: string;
  /** The write id Statestore gave the write that made this version, when the backend keeps write metadata. */
  writeId?: string;
  info: ObjectInfo;
}

/** The version a compare-and-swap expects: a version token, or what a read or write reported (with its write id). */
export type VersionRef = string | { version: string; writeId?: string };

/** The conditions of one write, plus the reference to the version it replaces (kept in write metadata). */
interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: '*';
  prev?: string;
}

/** Write-metadata names core keeps on every write where the backend can (capabilities.writeMetadata). */
export const WRITE_ID = 'statestore-write';
export const PREVIOUS_WRITE = 'statestore-prev';
/** `statestore-prev` of a write that created the file. */
const ABSENT = 'absent';


export interface UpdateFileOptions {
  /** Keep retrying lost races until this many ms have passed (default 30 000). */
  deadlineMs?: number;
  signal?: AbortSignal;
}

/** The function `updateFile` calls: gets the current bytes (undefined if absent), returns new bytes or undefined to leave it. */
export type UpdateFn = (current: Uint8Array | undefined) => FileData | undefined | Promise<FileData | undefined>;

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

  /**
   * This path over another driver with the same settings (retries, deadlines, logger): how a layer wrapped
   * around this path's driver (e.g. the history journal's) is put to use.
   */
  withBackend(backend: Backend): VfsPath {
    return new VfsPath({ ...this.ctx, backend }, this.key);
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

  /** Runs a driver call under the retry policy, each attempt as `attemptCall`. */
  private retry<T>(op: (ctx: { outcomeUnknown: boolean }) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry((ctx) => this.attemptCall(ctx.attempt, () => op(ctx)), this.ctx.retry, signal, (e, attempt, delay) =>
      this.ctx.logger.log(2, `retrying ${this.toString()} after attempt ${attempt} in ${delay} ms: ${e.message}`),
    );
  }

  /** One attempt of a driver call: its HTTP requests go to the request logger, a plain-HTTP answer to TLS is explained. */
  private attemptCall<T>(attempt: number, fn: () => Promise<T>): Promise<T> {
    return observeRequests(this.ctx.requestLogger, attempt, () => explainPlainHttpAnswer(fn));
  }

  async stat(options: { signal?: AbortSignal } = {}): Promise<FileStat> {
    const info = await this.statInfo(options.signal);
    if (!info) throw new NotFoundError(`File not found: ${this.toString()}; check the path, or list its folder`, { url: this.toString() });
    return toFileStat(info);
  }

  /**
   * The backend's capabilities as facts: settled first if the driver must ask the service (a probe next
   * to this path, retried like any request when it cannot decide), then frozen. What core consults before
   * every conditional write; never called from a read.
   */
  settledCapabilities(signal?: AbortSignal): Promise<Readonly<Capabilities>> {
    return this.retry(() => settledCapabilities(this.ctx.backend, { signal, key: this.key }), signal);
  }

  /** The lease settings this store was opened with (ResolveOptions `lockLeaseMs`, `leaseSettleMs`). */
  leaseDefaults(): { ttlMs: number; settleMs: number } {
    return { ttlMs: this.ctx.lockLeaseMs, settleMs: this.ctx.leaseSettleMs };
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
   * Replaces the file only if its version is still `ifMatch` (compare-and-swap); PreconditionFailedError
   * (nothing written) if it changed or is gone. UnsupportedError on a backend without compare-and-swap.
   */
  async replaceFile(data: FileData, options: WriteFileOptions & { ifMatch: VersionRef }): Promise<FileStat> {
    const { ifMatch, ...rest } = options;
    const base = typeof ifMatch === 'string' ? { version: ifMatch } : ifMatch;
    return toFileStat(await this.write(toWriteBody(data), rest, { ifMatch: base.version, prev: base.writeId ?? `v:${base.version}` }));
  }

  /** The file's bytes with the version they were read at, or undefined when it does not exist. */
  async readVersioned(options: { signal?: AbortSignal } = {}): Promise<VersionedContent | undefined> {
    try {
      const { bytes, info } = await this.readWithInfo(options.signal);
      const writeId = info.metadata?.[WRITE_ID];
      return { bytes, version: info.version, ...(writeId ? { writeId } : {}), info };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * One write, retried on Transient errors when the body is bytes. Every write carries a unique write id
   * in its metadata (and, when conditional, a reference to the version it replaces), so that a write whose
   * answer was lost can be proved applied or not (settleLostAnswer). What cannot be proved is
   * OutcomeUnknownError: never applied twice.
   */
  private async write(body: WriteBody, options: WriteFileOptions, conditions: WriteConditions): Promise<ObjectInfo> {
    const bytes = body instanceof Uint8Array ? body : undefined;
    const conditional = conditions.ifMatch !== undefined || conditions.ifNoneMatch !== undefined;
    const caps = conditional ? await this.settledCapabilities(options.signal) : this.ctx.backend.capabilities;
    if (conditions.ifMatch !== undefined && !caps.compareAndSwap) {
      throw this.fail(
        new UnsupportedError(`this backend cannot replace a file only if it is unchanged (no compare-and-swap)${caps.notes?.length ? `: ${caps.notes.join(' ')}` : ''}`),
        'Cannot write',
      );
    }
    if (conditions.ifNoneMatch !== undefined && !caps.atomicCreate) {
      // Check, then write: the best this backend allows (its capabilities say creation is not atomic).
      if (await this.statInfo(options.signal)) throw this.fail(new AlreadyExistsError(`File already exists: ${this.toString()}; read it, or remove it first`), 'Cannot create');
      return this.write(body, options, { ...(conditions.prev ? { prev: conditions.prev } : {}) });
    }
    const writeId = randomUUID();
    const metadata = caps.writeMetadata
      ? { ...options.metadata, [WRITE_ID]: writeId, ...(conditions.prev ? { [PREVIOUS_WRITE]: conditions.prev } : conditions.ifNoneMatch ? { [PREVIOUS_WRITE]: ABSENT } : {}) }
      : undefined;
    const writeOptions: WriteOptions = {
      ...(conditions.ifMatch !== undefined ? { ifMatch: conditions.ifMatch } : {}),
      ...(conditions.ifNoneMatch !== undefined ? { ifNoneMatch: conditions.ifNoneMatch } : {}),
      acl: options.acl,
      contentType: options.contentType,
      signal: options.signal,
      ...(metadata ? { metadata } : {}),
      ...(bytes ? { size: bytes.byteLength, sha256: sha256Hex(bytes) } : {}),
    };
    let answerLost = false;
    const attempt = async ({ outcomeUnknown }: { outcomeUnknown: boolean }) => {
      answerLost ||= outcomeUnknown;
      try {
        return await this.ctx.backend.write(this.key, body, writeOptions);
      } catch (e) {
        if (bytes && outcomeUnknown && conditional && (isPreconditionFailed(e) || isAlreadyExists(e))) {
          return this.settleLostAnswer(e, bytes, writeId, conditions, caps.writeMetadata, options.signal);
        }
        throw e;
      }
    };
    try {
      const info = bytes
        ? await this.retry(attempt, options.signal)
        : await this.attemptCall(1, () => attempt({ outcomeUnknown: false }));
      return metadata && info.metadata?.[WRITE_ID] === undefined ? { ...info, metadata: { ...info.metadata, ...metadata } } : info;
    } catch (e) {
      if (isAlreadyExists(e)) throw this.fail(new AlreadyExistsError(`File already exists: ${this.toString()}; read it, or remove it first`), 'Cannot create');
      if (answerLost && conditional && isTransient(e)) throw this.outcomeUnknown('the service did not answer', e);
      throw this.fail(e, 'Cannot write');
    }
  }

  /**
   * A conditional write was sent, its answer was lost, and the retry met a precondition failure: did the
   * first attempt land? Proved from what is stored now: our bytes or our write id (landed), our write id
   * as the previous write of what is stored (landed, then replaced by someone else's change built on it),
   * or a stored state that does not depend on ours (written on the same base, created anew, written
   * blindly): then the failure stands and a caller's update loop may safely try again. Anything else is
   * OutcomeUnknownError.
   */
  private async settleLostAnswer(failure: unknown, bytes: Uint8Array, writeId: string, conditions: WriteConditions, withMetadata: boolean, signal?: AbortSignal): Promise<ObjectInfo> {
    let stored: VersionedContent | undefined;
    try {
      stored = await this.readVersioned({ ...(signal ? { signal } : {}) });
    } catch (e) {
      throw this.outcomeUnknown('the service did not answer, and the file could not be read back to check', e);
    }
    if (!stored) throw failure;
    if (bytesEqual(stored.bytes, bytes) || stored.info.metadata?.[WRITE_ID] === writeId) {
      this.ctx.logger.log(1, `${this.toString()}: an earlier attempt's answer was lost, but it was applied`);
      return stored.info;
    }
    if (!withMetadata) throw this.outcomeUnknown('the service did not answer and the file has changed since');
    const previous = stored.info.metadata?.[PREVIOUS_WRITE];
    if (previous === writeId) {
      this.ctx.logger.log(1, `${this.toString()}: an earlier attempt's answer was lost; it was applied, and another writer has changed the file since`);
      // Not the successor's version or write id: a compare-and-swap based on this write must fail.
      const { metadata: _successor, ...info } = stored.info;
      return { ...info, version: `superseded:${writeId}` };
    }
    const base = conditions.prev ?? ABSENT;
    if (stored.info.metadata?.[WRITE_ID] === undefined || previous === undefined || previous === base || previous === ABSENT) throw failure;
    throw this.outcomeUnknown('the service did not answer and the file has been changed by others since');
  }

  private outcomeUnknown(why: string, cause?: unknown): OutcomeUnknownError {
    return new OutcomeUnknownError(
      `Writing ${this.toString()}: ${why}, so whether this write was applied cannot be proved; it was not retried (that could apply it twice). ` +
        `Check the file (statestore cat ${this.toString()}) and run the command again if the change is missing.`,
      { url: this.toString(), ...(cause !== undefined ? { cause } : {}) },
    );
  }

  /**
   * Read–modify–write without lost updates. Uses the backend's compare-and-swap, else a lease on
   * `<file>.statestore-lock` (built on atomic create, or on Swift on the candidate protocol of
   * path/candidate-lease.ts). `fn` runs again only when the previous round's write is proved not applied;
   * lost races are retried (with jitter) until the deadline, then ConflictError.
   */
  async updateFile(fn: UpdateFn, options: UpdateFileOptions = {}): Promise<Uint8Array | undefined> {
    const caps = await this.settledCapabilities(options.signal);
    if (caps.compareAndSwap) return this.updateWithCompareAndSwap(fn, options);
    return this.updateUnderLock(fn, options);
  }

  private async updateWithCompareAndSwap(fn: UpdateFn, options: UpdateFileOptions): Promise<Uint8Array | undefined> {
    const deadline = Date.now() + (options.deadlineMs ?? this.ctx.updateDeadlineMs);
    for (let round = 1; ; round++) {
      const current = await this.readVersioned(options);
      const next = await fn(current?.bytes);
      if (next === undefined) return current?.bytes;
      const bytes = await bodyBytes(next);
      try {
        const write = current ? { ifMatch: current.version, prev: current.writeId ?? `v:${current.version}` } : { ifNoneMatch: '*' as const };
        await this.write(bytes, { ...(options.signal ? { signal: options.signal } : {}) }, write);
        return bytes;
      } catch (e) {
        if (!(isPreconditionFailed(e) || isAlreadyExists(e))) throw e;
        await this.waitBeforeNextRound(round, deadline, options.signal);
      }
    }
  }

  /**
   * The lock fallback: a lease at `<file>.statestore-lock` (renewed while held), then read, compute and
   * an unconditional write that must finish before anyone could judge the lease expired (its deadline is
   * the lease's remaining time). A write cut off by that deadline is retried while the lease is still
   * proved held; if the lease is lost with a write's outcome unknown, OutcomeUnknownError.
   */
  private async updateUnderLock(fn: UpdateFn, options: UpdateFileOptions): Promise<Uint8Array | undefined> {
    const deadline = Date.now() + (options.deadlineMs ?? this.ctx.updateDeadlineMs);
    const lease = await acquireLease(lockPathFor(this), {
      ttlMs: this.ctx.lockLeaseMs,
      waitMs: Math.max(0, deadline - Date.now()),
      command: `updateFile ${this.toString()}`,
      logger: this.ctx.logger,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      for (let round = 1; ; round++) {
        const current = await this.readVersioned(options);
        const next = await fn(current?.bytes);
        if (next === undefined) return current?.bytes;
        const bytes = await bodyBytes(next);
        // The lease excludes other updateFile callers only. A plain write or remove (which takes no lease)
        // may have changed the file meanwhile: then read again rather than overwrite it or bring it back.
        const now = await this.statInfo(options.signal);
        if (now?.version !== current?.version) {
          await this.waitBeforeNextRound(round, deadline, options.signal);
          continue;
        }
        await this.writeWhileHeld(bytes, lease, options.signal);
        return bytes;
      }
    } finally {
      await lease.release().catch((e: Error) => this.ctx.logger.log(0, `could not release ${lockPathFor(this).toString()}: ${e.message}`));
    }
  }

  /** An unconditional write fenced by a lease: each attempt checks the lease and ends before it could expire. */
  private async writeWhileHeld(bytes: Uint8Array, lease: HeldLease, signal?: AbortSignal): Promise<void> {
    let sent = false;
    for (;;) {
      try {
        await lease.assertHeld(signal);
      } catch (e) {
        if (sent) throw this.outcomeUnknown('the lock was lost while a write was in flight', e);
        throw e;
      }
      const deadline = AbortSignal.timeout(Math.max(1, Math.floor(lease.remainingMs())));
      const attemptSignal = AbortSignal.any([deadline, lease.lost, ...(signal ? [signal] : [])]);
      try {
        sent = true;
        await this.write(bytes, { signal: attemptSignal }, {});
        return;
      } catch (e) {
        if (signal?.aborted || !(deadline.aborted || lease.lost.aborted)) throw e;
        this.ctx.logger.log(1, `${this.toString()}: a write under the lock was cut off before the lock could expire; checking the lock and writing again`);
      }
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
        failures.push(...(await deleteEach({ delete: (key, o) => this.retry(() => backend.delete(key, o), options.signal) }, batch, options.signal)).errors);
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
  async readDir(options: ListingOptions = {}): Promise<DirEntry[]> {
    const prefix = dirPrefix(this.key);
    const entries: DirEntry[] = [];
    // A service may repeat a prefix on later pages (fake-gcs-server re-sends every prefix after the page
    // token); each directory is listed once.
    const directories = new Set<string>();
    let pageToken: string | undefined;
    try {
      do {
        const page = await this.retry(
          () => this.ctx.backend.list(prefix, { delimiter: '/', pageToken, pageSize: options.pageSize ?? this.ctx.listPageSize, signal: options.signal }),
          options.signal,
        );
        for (const skipped of page.skipped ?? []) this.reportSkipped(skipped, options);
        for (const o of page.objects) {
          if (o.key === prefix || o.key.endsWith('/') || !o.key.startsWith(prefix)) continue;
          const name = o.key.slice(prefix.length);
          if (name.includes('/') || isInternalKey(name)) continue;
          if (!isAddressable(o.key)) {
            this.reportSkipped({ key: o.key, reason: UNADDRESSABLE }, options);
            continue;
          }
          entries.push({ name, path: new VfsPath(this.ctx, o.key, o), isDirectory: false });
        }
        for (const p of page.prefixes) {
          if (!p.startsWith(prefix)) continue;
          const name = p.slice(prefix.length).replace(/\/$/, '');
          if (name.includes('/') || directories.has(name) || isInternalKey(name)) continue;
          if (name === '' || !isAddressable(p.slice(0, -1))) {
            this.reportSkipped({ key: p, reason: UNADDRESSABLE }, options);
            continue;
          }
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

  /** Every file below this path (not directories, not folder placeholders); skipped entries as in `walk`. */
  async readTree(options: ListingOptions = {}): Promise<VfsPath[]> {
    const out: VfsPath[] = [];
    // Page by page: an await per page, not per file (20,000 keys are 20 pages).
    for await (const files of this.walkPages(options)) for (const f of files) out.push(f);
    return out;
  }

  /**
   * Every file below this path, page by page, for trees too large to hold. Each path carries its listing
   * info. What exists but cannot be listed as a file (a key with an empty, `.` or `..` segment, which no
   * path can address; what the driver reports as skipped, e.g. a symbolic link) goes to `onSkipped`, or
   * is logged: a listing with skipped entries is incomplete, and callers that delete must know it.
   */
  async *walk(options: ListingOptions & { includeInternal?: boolean } = {}): AsyncGenerator<VfsPath> {
    for await (const files of this.walkPages(options)) yield* files;
  }

  /** The files of `walk`, one array per page of the driver's listing. */
  private async *walkPages(options: ListingOptions & { includeInternal?: boolean }): AsyncGenerator<VfsPath[]> {
    const prefix = dirPrefix(this.key);
    let pageToken: string | undefined;
    do {
      let page;
      try {
        page = await this.retry(
          () => this.ctx.backend.list(prefix, { pageToken, pageSize: options.pageSize ?? this.ctx.listPageSize, signal: options.signal }),
          options.signal,
        );
      } catch (e) {
        throw this.fail(e, 'Cannot list');
      }
      for (const skipped of page.skipped ?? []) this.reportSkipped(skipped, options);
      const files: VfsPath[] = [];
      for (const o of page.objects) {
        if (o.key === prefix || o.key.endsWith('/') || !o.key.startsWith(prefix)) continue;
        if (!options.includeInternal && isInternalKey(o.key.slice(prefix.length))) continue;
        if (!isAddressable(o.key)) {
          this.reportSkipped({ key: o.key, reason: UNADDRESSABLE }, options);
          continue;
        }
        files.push(new VfsPath(this.ctx, o.key, o));
      }
      yield files;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  private reportSkipped(entry: SkippedEntry, options: ListingOptions): void {
    if (options.onSkipped) options.onSkipped(entry);
    else this.ctx.logger.log(0, `warning: ${this.ctx.backend.urlFor(entry.key)} is not listed: ${entry.reason}`);
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
    if (options.ifNoneMatch !== undefined && !(await to.settledCapabilities(options.signal)).atomicCreate) {
      // Check, then copy: the best a store without atomic create allows (its capabilities say so).
      if (await to.statInfo(options.signal)) throw to.fail(new AlreadyExistsError(`File already exists: ${to.toString()}; read it, or remove it first`), 'Cannot create');
      const { ifNoneMatch: _checked, ...unconditional } = options;
      return this.copyTo(to, unconditional);
    }
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
  const writeId = info.metadata?.[WRITE_ID];
  return { size: info.size, version: info.version, ...(info.modified ? { modified: info.modified } : {}), ...(hash ? { hash } : {}), ...(writeId ? { writeId } : {}) };
}

async function bodyBytes(data: FileData): Promise<Uint8Array> {
  const body = toWriteBody(data);
  return body instanceof Uint8Array ? body : collect(body);
}

/** A URL as a VfsPath (resolvePath, imported when first needed: it would be a circular import at load time). */
async function resolveTarget(url: string): Promise<VfsPath> {
  const { resolvePath } = await import('../resolve.js');
  return resolvePath(url);
}
