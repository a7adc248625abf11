/**
 * backend/ owns the driver contract: the small interface a storage plugin implements. Drivers carry no
 * policy: no retries (they switch off their SDK's own), no recursion, no pagination loops, no caching.
 * Everything generic lives once in core's VfsPath.
 *
 * Keys handed to a driver are already normalised by core: `/`-separated, no leading `/`, no `.`, `..`
 * or empty segments, no NUL. A list prefix is either `''` or ends with `/`.
 */

/** Hash algorithms a service may report, lowercase hex values. */
export type HashAlgorithm = 'md5' | 'sha256' | 'crc32c';

/** What a service reports about one stored object. */
export interface ObjectInfo {
  /** The key, relative to the backend's root. */
  key: string;
  size: number;
  /** Opaque token that changes on every write (ETag, generation, version, …); used for compare-and-swap. */
  version: string;
  modified?: Date;
  /** Content hashes the service reports cheaply, lowercase hex. Only trustworthy values (never a multipart ETag). */
  hashes?: Partial<Record<HashAlgorithm, string>>;
  contentType?: string;
  /**
   * Write metadata the object carries (`capabilities.writeMetadata`): what was passed as
   * `WriteOptions.metadata` when it was written. Reported by `stat` and `read`; listings may omit it.
   */
  metadata?: Record<string, string>;
}

/** An entry a listing could not report as a file, with the reason (e.g. a symbolic link, a name that is not UTF-8). */
export interface SkippedEntry {
  key: string;
  reason: string;
}

/** One page of a listing. */
export interface ListPage {
  /** Files, in the service's order (lexicographic by key on every supported service). */
  objects: ObjectInfo[];
  /** With a delimiter: the "directories", as key prefixes ending in `/`. */
  prefixes: string[];
  /** Present when there is another page. */
  nextPageToken?: string;
  /**
   * Entries below the prefix that exist but cannot be listed as files. A listing with skipped entries is
   * incomplete: core reports them, and never deletes on the strength of it (sync --delete).
   */
  skipped?: SkippedEntry[];
}

export interface ListOptions {
  /** `'/'` lists one level (objects plus prefixes); absent lists everything below recursively. */
  delimiter?: '/';
  pageToken?: string;
  /** A hint: at most this many entries per page. Drivers honour it where the service allows. */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface ReadOptions {
  /** Inclusive byte range. `end` absent means to the end. */
  range?: { start: number; end?: number };
  signal?: AbortSignal;
}

export interface ReadResult {
  info: ObjectInfo;
  body: AsyncIterable<Uint8Array>;
}

/** Bodies a driver accepts: bytes (replayable, so retryable) or a stream (written once). */
export type WriteBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface WriteOptions {
  /** `'*'`: fail with AlreadyExistsError if the key exists. */
  ifNoneMatch?: '*';
  /**
   * Fail with PreconditionFailedError unless the current version equals this token. A driver whose
   * service cannot honour it (capabilities.compareAndSwap false) throws UnsupportedError instead of
   * ignoring it.
   */
  ifMatch?: string;
  /** A canned ACL name; drivers without ACLs ignore it (capabilities.acl is false). */
  acl?: string;
  contentType?: string;
  /** Size in bytes when known (always known for Uint8Array bodies). */
  size?: number;
  /** SHA-256 of the body, when core computed it; drivers that can store metadata keep it and report it in `hashes`. */
  sha256?: string;
  /**
   * Write metadata to keep with the object and report back in `ObjectInfo.metadata`
   * (`capabilities.writeMetadata`; drivers without it ignore this). Names are lowercase letters, digits and
   * `-`; values printable ASCII, at most 256 bytes each. Core uses it to identify its own writes
   * (`statestore-write`, `statestore-prev`), which is how a write whose response was lost is proved.
   */
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

export interface DeleteOptions {
  /** Delete only if the current version equals this token (PreconditionFailedError otherwise). */
  ifMatch?: string;
  signal?: AbortSignal;
}

export interface CopyOptions {
  ifNoneMatch?: '*';
  acl?: string;
  /**
   * The source's info as core last saw it (from a listing): size, hashes, content type. A hint a driver
   * may use instead of a request to stat the source (sync copies thousands of files); never a condition.
   */
  sourceInfo?: ObjectInfo;
  signal?: AbortSignal;
}

/** One version of a key that the service keeps (`capabilities.versions`). */
export interface ObjectVersion {
  /** The service's id of this version (S3 VersionId, GCS generation, KV v2 version number). */
  versionId: string;
  /** When the service stored it. */
  modified?: Date;
  size?: number;
  /** The version token `stat` and `list` report while it is current (ETag, generation, …), where the service says. */
  version?: string;
  /** A deletion (an S3 delete marker, a KV v2 deleted version): no content. */
  deleted?: boolean;
  /** The current version. */
  latest?: boolean;
}

/** Per-key outcome of a batch delete. */
export interface DeleteManyResult {
  deleted: string[];
  errors: { key: string; error: Error }[];
}

/** What the service does natively. Core uses these to pick strategies; tests use them to pick expectations. */
export interface Capabilities {
  /** `write(…, {ifNoneMatch:'*'})` is atomic: among concurrent creators exactly one wins. */
  atomicCreate: boolean;
  /** `write(…, {ifMatch})` is honoured atomically. */
  compareAndSwap: boolean;
  /** `delete(…, {ifMatch})` is honoured. */
  conditionalDelete: boolean;
  /** The service can keep old versions, and the driver lists and reads them (`listVersions`, `readVersion`). */
  versions: boolean;
  /** `WriteOptions.metadata` is stored with the object and reported back by `stat` and `read`. */
  writeMetadata: boolean;
  /** `acl` on writes means something. */
  acl: boolean;
  /** The driver implements `copy` inside the service. */
  serverSideCopy: boolean;
  /** Reads and writes stream without buffering whole objects. */
  streaming: boolean;
  /** `read` honours `range`. */
  rangeReads: boolean;
  /** `WriteOptions.contentType` is kept and reported back by `stat` and `read` (false: never reported). */
  contentType: boolean;
  /**
   * A key can be a file while other keys lie below it (`a` and `a/b`), both kept and listed. Where not, a
   * write that would make both fails with ConflictError and changes nothing (file://), or the service takes
   * it but never lists both (MinIO lists the file and hides what is below it).
   */
  fileAndPrefix: boolean;
  /** Hashes this service reports in listings and stats. */
  hashes: HashAlgorithm[];
  /** Largest page the service returns, for information. */
  maxPageSize?: number;
  /** Longest key (UTF-8 bytes) the service stores; core refuses a longer one with InvalidUrlError before any request. */
  maxKeyBytes?: number;
  /**
   * Characters the service cannot keep in a key (Azure Blob Storage turns `\` into `/`); core refuses a key
   * holding one with InvalidUrlError before any request.
   */
  refusedKeyCharacters?: string;
  /** Most keys one `deleteMany` call takes; core splits larger batches. */
  maxDeleteBatch?: number;
  /** Free-text notes shown by `statestore plugins`/`doctor` (e.g. why creation is not atomic). */
  notes?: string[];
}

/**
 * The driver interface. All keys are relative to the store the backend was opened for (a bucket, a
 * container, a Vault mount, a local root). Errors are core's typed errors (`NotFoundError`,
 * `TransientError`, …), mapped by the driver from its SDK's errors.
 */
export interface Backend {
  /**
   * What the service does, as facts: frozen (`Object.freeze`) and never changed once core has used them.
   * A driver that must ask the service before it knows some of them (e.g. whether conditional writes are
   * honoured) implements `settleCapabilities`; until that has resolved, this reports the facts known
   * without a request, with the unknown ones at their safe value (false).
   */
  readonly capabilities: Readonly<Capabilities>;
  /**
   * Finds out, once, the capabilities that need a request (a probe, a bucket setting) and returns them
   * frozen; afterwards `capabilities` returns the same object. Core calls it before the first conditional
   * write (createFile, compare-and-swap, conditional delete, a lease), never from a read. When the service
   * cannot tell, it settles on the safe answer (false) or rejects (core then retries it before the next
   * conditional write); it never assumes a precondition works without seeing it work.
   */
  settleCapabilities?(options?: { signal?: AbortSignal; key?: string }): Promise<Readonly<Capabilities>>;
  /** Canonical URL of a key, e.g. `s3://bucket/key`. `urlFor('')` is the store root. */
  urlFor(key: string): string;
  /** Object info, or `undefined` when the key does not exist. */
  stat(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo | undefined>;
  /**
   * The object's bytes as a stream, with the info of exactly the version being read (so a compare-and-swap
   * that follows uses the right token); NotFoundError when missing.
   */
  read(key: string, options?: ReadOptions): Promise<ReadResult>;
  write(key: string, body: WriteBody, options?: WriteOptions): Promise<ObjectInfo>;
  /** Deleting a missing key succeeds quietly (unless `ifMatch` was given: then PreconditionFailedError or NotFoundError). */
  delete(key: string, options?: DeleteOptions): Promise<void>;
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Batch delete; per-key errors are returned, never swallowed. Core falls back to `delete` when absent. */
  deleteMany?(keys: string[], options?: { signal?: AbortSignal }): Promise<DeleteManyResult>;
  /** Copy inside the service (capabilities.serverSideCopy). */
  copy?(sourceKey: string, targetKey: string, options?: CopyOptions): Promise<ObjectInfo>;
  /** Identifies the service instance: two backends with the same id may copy server-side between each other. */
  readonly serviceId?: string;
  /** Server-side copy from another backend of the same service (same serviceId). */
  copyFrom?(source: Backend, sourceKey: string, targetKey: string, options?: CopyOptions): Promise<ObjectInfo>;
  /**
   * The versions the service keeps of `key`, newest first, deletions included (`capabilities.versions`); an empty
   * list when it keeps none of that key (a bucket whose versioning was never on). After a delete, the deletion is
   * the newest, the earlier versions kept — or the list is empty where deleting a key removes its versions
   * (Vault KV v2's metadata delete).
   */
  listVersions?(key: string, options?: { signal?: AbortSignal }): Promise<ObjectVersion[]>;
  /** One version of `key` by its `versionId` (NotFoundError when the service no longer has it, or it is a deletion). */
  readVersion?(key: string, versionId: string, options?: ReadOptions): Promise<ReadResult>;
  /** Releases clients and sockets. */
  close?(): Promise<void>;
}
