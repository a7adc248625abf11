/**
 * The gs:// driver: one Cloud Storage bucket. Version tokens are generations, so create-if-absent is
 * `ifGenerationMatch=0`, compare-and-swap and conditional delete are `ifGenerationMatch=<generation>`,
 * all decided by the service atomically. A read is one request whose response headers name the exact
 * generation it streams. Small uploads are single requests (the server checks the MD5 we send); large or
 * unsized ones are resumable uploads streamed in one pass. No retries here: core retries TransientError.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File, Storage } from '@google-cloud/storage';
import {
  AlreadyExistsError,
  NotFoundError,
  PreconditionFailedError,
  StatestoreError,
  TransientError,
  UnsupportedError,
  formatObjectUrl,
  isNotFound,
  isPreconditionFailed,
  type Backend,
  type Capabilities,
  type CopyOptions,
  type DeleteOptions,
  type ListOptions,
  type ListPage,
  type ObjectInfo,
  type ObjectVersion,
  type ReadOptions,
  type ReadResult,
  type WriteBody,
  type WriteOptions,
} from '@statestore/core';
import { emptyBody, freezeCapabilities, once, probePreconditions, responseBody, type ProbeVerdict } from '@statestore/core/driver-kit';
import { predefinedAclFrom, type PredefinedAcl } from './config.js';
import { httpStatusOf, mapGcsError } from './errors.js';
import { cutPage, cursorFrom } from './list-page.js';
import { SHA256_METADATA_KEY, infoFromHeaders, infoFromResource, type GcsObjectResource, type ResponseHeaders } from './object-info.js';

/** Bodies at least this large (and streams of unknown size) go up as resumable uploads. */
export const RESUMABLE_THRESHOLD = 8 * 1024 * 1024;
/** The largest page the JSON API returns. */
const MAX_PAGE_SIZE = 1000;
/** Cloud Storage object names are at most 1,024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

const capabilities: Readonly<Capabilities> = freezeCapabilities({
  atomicCreate: true,
  compareAndSwap: true,
  conditionalDelete: true,
  versions: true,
  writeMetadata: true,
  acl: true,
  serverSideCopy: true,
  streaming: true,
  rangeReads: true,
  contentType: true,
  fileAndPrefix: true,
  hashes: ['md5', 'crc32c'],
  maxPageSize: MAX_PAGE_SIZE,
  maxKeyBytes: MAX_KEY_BYTES,
  notes: [
    'Version tokens are object generations; create, compare-and-swap and conditional delete use ifGenerationMatch.',
    `sha256 is reported too for files Statestore wrote from bytes (custom metadata ${SHA256_METADATA_KEY}).`,
    'An ACL is sent as a predefined ACL, and never to buckets with uniform bucket-level access.',
    'Write metadata is custom object metadata (x-goog-meta-*).',
    'versions: the generations a bucket with object versioning keeps (noncurrent ones until its lifecycle rules remove them).',
  ],
});

/** The capabilities once the probe has decided what a probed service honours. */
function capabilitiesAfter(verdict: ProbeVerdict): Readonly<Capabilities> {
  const { atomicCreate, compareAndSwap, conditionalDelete } = verdict;
  if (atomicCreate && compareAndSwap && conditionalDelete) return capabilities;
  return freezeCapabilities({
    ...capabilities,
    atomicCreate,
    compareAndSwap,
    conditionalDelete,
    hashes: [...capabilities.hashes],
    notes: [...(capabilities.notes ?? []), 'This service (an emulator) was probed: only the preconditions it was seen to honour are declared.'],
  });
}

/** A probed service before its probe: no conditional request is assumed to work. */
const UNPROBED = capabilitiesAfter({ atomicCreate: false, compareAndSwap: false, conditionalDelete: false, copyIfAbsent: false });

export interface GcsBackendOptions {
  bucket: string;
  /** Builds the SDK client on first use (the SDK is imported only then). */
  storage: () => Promise<Storage>;
  /** Same value for backends that may copy server-side between each other (endpoint + credentials). */
  serviceId: string;
  /** Predefined ACL for writes that name none. */
  predefinedAcl?: PredefinedAcl;
  /** Size from which uploads are resumable (default 8 MiB). */
  resumableThreshold?: number;
  /** One-time notices (e.g. an ACL that is not sent because of uniform bucket-level access). */
  warn?: (message: string) => void;
  /**
   * The service may accept preconditions and ignore them (an emulator): probe once, before the first
   * conditional request, and declare only what it honours. Cloud Storage itself honours them all.
   */
  probePreconditions?: boolean;
}

interface BucketFacts {
  /** Uniform bucket-level access; undefined when the bucket's settings may not be read (403). */
  uniformAccess: boolean | undefined;
  /** Object versioning is on; undefined when the bucket's settings may not be read. */
  versioning: boolean | undefined;
}

/**
 * The driver for one bucket. Keys are object names; `urlFor('')` is `gs://BUCKET/`. Build it through the
 * plugin (`resolvePath('gs://…')`), or directly with an SDK client factory for tests and tools.
 */
export class GcsBackend implements Backend {
  readonly serviceId: string;
  readonly bucketName: string;
  private readonly bucket = once<Bucket>(async () => (await this.options.storage()).bucket(this.bucketName));
  /** Whether the bucket exists and uses uniform bucket-level access: one request per backend, kept once known. */
  private readonly bucketFacts = once<BucketFacts>(() => this.loadBucketFacts());
  /** What the precondition probe saw (emulators only), run next to the first key written conditionally. */
  private verdict: ProbeVerdict | undefined;
  private probedCapabilities: Readonly<Capabilities> | undefined;
  /** Where the probe writes: the folder of the key that asked for it (where the caller may write). */
  private probeKey = '';
  private readonly probed = once<Readonly<Capabilities>>(() => this.probe(this.probeKey));

  constructor(private readonly options: GcsBackendOptions) {
    this.bucketName = options.bucket;
    this.serviceId = options.serviceId;
  }

  /** Cloud Storage's facts; on a service that is probed, conditional requests count only once seen to work. */
  get capabilities(): Readonly<Capabilities> {
    if (!this.options.probePreconditions) return capabilities;
    return this.probedCapabilities ?? UNPROBED;
  }

  /** Runs the precondition probe once (emulators only; a probe that cannot decide is forgotten and runs again). */
  settleCapabilities(options: { signal?: AbortSignal; key?: string } = {}): Promise<Readonly<Capabilities>> {
    if (!this.options.probePreconditions) return Promise.resolve(capabilities);
    this.probeKey = options.key ?? '';
    return this.probed();
  }

  urlFor(key: string): string {
    return formatObjectUrl('gs', this.bucketName, key);
  }

  async stat(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const bucket = await this.bucket();
    options.signal?.throwIfAborted();
    try {
      const [metadata] = await bucket.file(key).getMetadata();
      return infoFromResource(key, metadata as GcsObjectResource);
    } catch (e) {
      const error = this.error(e, key, options.signal);
      if (!isNotFound(error)) throw error;
      await this.requireBucket();
      return undefined;
    }
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const bucket = await this.bucket();
    let opened;
    try {
      opened = await this.download(bucket.file(key), key, options);
    } catch (e) {
      if (isNotFound(e)) await this.requireBucket(); // a missing bucket is an error that names it
      // A range that starts at or past the end (416): nothing to read, as on every backend.
      if (options.range && httpStatusOf((e as Error).cause ?? e) === 416) {
        const info = await this.stat(key, options);
        if (info) return { info, body: emptyBody() };
      }
      throw e;
    }
    const info = infoFromHeaders(key, opened.headers);
    if (info) return { info, body: this.body(opened.stream, key, options.signal) };
    // The server did not say which generation it sent: stat, then download exactly that generation. If it
    // was replaced in between, the read fails as Transient and core reads again.
    opened.stream.destroy();
    const current = await this.stat(key, options);
    if (!current) throw new NotFoundError(`File not found: ${this.urlFor(key)}`, { url: this.urlFor(key) });
    try {
      const pinned = await this.download(bucket.file(key, { generation: current.version }), key, options);
      return { info: current, body: this.body(pinned.stream, key, options.signal) };
    } catch (e) {
      if (!isNotFound(e)) throw e;
      throw new TransientError(`${this.urlFor(key)} changed while it was being read; read it again`, { url: this.urlFor(key), cause: e });
    }
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const bucket = await this.bucket();
    const url = this.urlFor(key);
    const ifGenerationMatch = options.ifNoneMatch === '*' ? 0 : options.ifMatch !== undefined ? this.generationOf(options.ifMatch, key) : undefined;
    const predefinedAcl = await this.aclFor(options.acl);
    const bytes = body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined;
    const size = bytes?.byteLength ?? options.size;
    const sha256 = options.sha256 ?? (bytes ? createHash('sha256').update(bytes).digest('hex') : undefined);
    const file = bucket.file(key);
    const upload = file.createWriteStream({
      resumable: size === undefined || size >= (this.options.resumableThreshold ?? RESUMABLE_THRESHOLD),
      // Bytes: the server checks the MD5 we declare and refuses a mismatch, writing nothing. Streams: the SDK
      // checks the MD5 afterwards.
      validation: bytes ? false : 'md5',
      gzip: false,
      metadata: {
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(bytes ? { md5Hash: createHash('md5').update(bytes).digest('base64') } : {}),
        ...(sha256 || options.metadata ? { metadata: { ...options.metadata, ...(sha256 ? { [SHA256_METADATA_KEY]: sha256 } : {}) } } : {}),
      },
      ...(ifGenerationMatch !== undefined ? { preconditionOpts: { ifGenerationMatch } } : {}),
      ...(predefinedAcl ? { predefinedAcl } : {}),
    });
    try {
      const source = Readable.from(bytes ? [bytes] : body, { objectMode: false });
      await (options.signal ? pipeline(source, upload, { signal: options.signal }) : pipeline(source, upload));
    } catch (e) {
      const error = this.error(e, key, options.signal, this.bucketMissing(url));
      if (isPreconditionFailed(error) && options.ifNoneMatch === '*') {
        throw new AlreadyExistsError(`File already exists: ${url}`, { url, cause: e });
      }
      throw error;
    }
    return infoFromResource(key, file.metadata as GcsObjectResource);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const bucket = await this.bucket();
    options.signal?.throwIfAborted();
    const ifGenerationMatch = options.ifMatch !== undefined ? this.generationOf(options.ifMatch, key) : undefined;
    try {
      await bucket.file(key).delete(ifGenerationMatch !== undefined ? { ifGenerationMatch } : {});
    } catch (e) {
      const error = this.error(e, key, options.signal);
      if (!isNotFound(error)) throw error;
      await this.requireBucket(); // a missing bucket is an error that names it
      if (options.ifMatch !== undefined) throw error;
      // A missing object: done, at once (kops retried this 404 five times).
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const bucket = await this.bucket();
    options.signal?.throwIfAborted();
    const pageSize = Math.min(Math.max(1, Math.floor(options.pageSize ?? MAX_PAGE_SIZE)), MAX_PAGE_SIZE);
    const cursor = cursorFrom(options.pageToken, this.urlFor(prefix));
    let response: unknown;
    try {
      [, , response] = await bucket.getFiles({
        autoPaginate: false,
        // The entry to skip counts against the service's page: ask for one more, so the page stays full.
        maxResults: Math.min(pageSize + (cursor.skip !== undefined ? 1 : 0), MAX_PAGE_SIZE),
        ...(prefix ? { prefix } : {}),
        ...(options.delimiter ? { delimiter: options.delimiter } : {}),
        ...(cursor.startOffset !== undefined ? { startOffset: cursor.startOffset } : {}),
        ...(cursor.serviceToken ? { pageToken: cursor.serviceToken } : {}),
      });
    } catch (e) {
      throw this.error(e, prefix, options.signal, this.bucketMissing(this.urlFor(prefix)));
    }
    const page = (response ?? {}) as { items?: GcsObjectResource[]; prefixes?: string[]; nextPageToken?: string };
    const items = page.items ?? [];
    const cut = cutPage(items.map((item) => item.name ?? ''), page.prefixes ?? [], page.nextPageToken, cursor, pageSize);
    return {
      objects: cut.entries.flatMap((entry) => (entry.item === undefined ? [] : [infoFromResource(entry.name, items[entry.item]!)])),
      prefixes: cut.entries.flatMap((entry) => (entry.item === undefined ? [entry.name] : [])),
      ...(cut.nextPageToken ? { nextPageToken: cut.nextPageToken } : {}),
    };
  }

  /**
   * The generations the bucket keeps of `key`, newest first; a deletion (the newest generation no longer live) as
   * a record of its own at the time it was deleted. [] when only the live generation exists and versioning is off.
   */
  async listVersions(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectVersion[]> {
    const bucket = await this.bucket();
    const items: (GcsObjectResource & { timeCreated?: string; timeDeleted?: string })[] = [];
    let pageToken: string | undefined;
    do {
      options.signal?.throwIfAborted();
      let response: unknown;
      try {
        [, , response] = await bucket.getFiles({ autoPaginate: false, maxResults: MAX_PAGE_SIZE, prefix: key, versions: true, ...(pageToken ? { pageToken } : {}) });
      } catch (e) {
        throw this.error(e, key, options.signal, this.bucketMissing(this.urlFor(key)));
      }
      const page = (response ?? {}) as { items?: typeof items; nextPageToken?: string };
      items.push(...(page.items ?? []).filter((item) => item.name === key));
      pageToken = page.nextPageToken;
    } while (pageToken);
    items.sort((a, b) => Number(b.generation) - Number(a.generation));
    const versions: ObjectVersion[] = [];
    const newest = items[0];
    if (newest?.timeDeleted) versions.push({ versionId: `${newest.generation}-deleted`, modified: new Date(newest.timeDeleted), deleted: true, latest: true });
    for (const item of items) {
      const created = item.timeCreated ?? item.updated;
      versions.push({ versionId: String(item.generation), ...(created ? { modified: new Date(created) } : {}), size: Number(item.size ?? 0), version: String(item.generation), latest: !item.timeDeleted });
    }
    if (versions.length === 1 && !versions[0]!.deleted && (await this.bucketFacts()).versioning !== true) return [];
    return versions;
  }

  /** One generation of `key` (NotFound for a deletion record or a generation the bucket no longer keeps). */
  async readVersion(key: string, versionId: string, options: ReadOptions = {}): Promise<ReadResult> {
    if (!/^\d+$/.test(versionId)) throw new NotFoundError(`Version ${versionId} of ${this.urlFor(key)} is a deletion: it has no content`, { url: this.urlFor(key) });
    const bucket = await this.bucket();
    const opened = await this.download(bucket.file(key, { generation: versionId }), key, options);
    const info = infoFromHeaders(key, opened.headers) ?? { key, size: 0, version: versionId };
    return { info, body: this.body(opened.stream, key, options.signal) };
  }

  /** Server-side copy inside this bucket (the JSON API's rewrite). */
  async copy(sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    return this.rewrite(this.bucketName, sourceKey, targetKey, options);
  }

  /** Server-side copy from another bucket reachable with the same credentials (same serviceId). */
  async copyFrom(source: Backend, sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    const sourceBucket = (source as Partial<GcsBackend>).bucketName;
    if (source.serviceId !== this.serviceId || typeof sourceBucket !== 'string') {
      throw new UnsupportedError(`Cannot copy ${source.urlFor(sourceKey)} to ${this.urlFor(targetKey)} inside Cloud Storage: the source is not a gs:// store of the same service`);
    }
    return this.rewrite(sourceBucket, sourceKey, targetKey, options);
  }

  private async rewrite(sourceBucket: string, sourceKey: string, targetKey: string, options: CopyOptions): Promise<ObjectInfo> {
    const storage = await this.options.storage();
    const source = storage.bucket(sourceBucket).file(sourceKey);
    const sourceUrl = formatObjectUrl('gs', sourceBucket, sourceKey);
    const predefinedAcl = await this.aclFor(options.acl);
    // Every call of a multi-step rewrite repeats the destination conditions (the SDK's copy drops them).
    if (options.ifNoneMatch === '*' && this.verdict?.copyIfAbsent === false) return this.copyThroughClient(source, sourceUrl, targetKey, options);
    const qs = {
      ...(options.ifNoneMatch === '*' ? { ifGenerationMatch: 0 } : {}),
      ...(predefinedAcl ? { destinationPredefinedAcl: predefinedAcl } : {}),
    };
    let rewriteToken: string | undefined;
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const [body] = await source.request({
          method: 'POST',
          uri: `/rewriteTo/b/${encodeURIComponent(this.bucketName)}/o/${encodeURIComponent(targetKey)}`,
          qs: { ...qs, ...(rewriteToken ? { rewriteToken } : {}) },
          json: {},
        });
        const step = body as { done?: boolean; rewriteToken?: string; resource?: GcsObjectResource };
        if (step.resource && step.done !== false) return infoFromResource(targetKey, step.resource);
        if (!step.rewriteToken) throw new StatestoreError('Unknown', `Copying ${sourceUrl} to ${this.urlFor(targetKey)}: the service neither finished nor returned a rewrite token`);
        rewriteToken = step.rewriteToken;
      }
    } catch (e) {
      const error = this.error(e, targetKey, options.signal, `Cannot copy ${sourceUrl}: it does not exist (or bucket ${sourceBucket} or ${this.bucketName} is missing)`);
      if (isPreconditionFailed(error) && options.ifNoneMatch === '*') {
        throw new AlreadyExistsError(`File already exists: ${this.urlFor(targetKey)}`, { url: this.urlFor(targetKey), cause: e });
      }
      throw error;
    }
  }

  /**
   * A copy "only if absent" where the service's rewrite ignores ifGenerationMatch=0 but uploads honour it:
   * read the source and upload it with the precondition.
   */
  private async copyThroughClient(source: File, sourceUrl: string, targetKey: string, options: CopyOptions): Promise<ObjectInfo> {
    let opened;
    try {
      opened = await this.download(source, targetKey, options);
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(`Cannot copy ${sourceUrl}: it does not exist`, { url: sourceUrl, cause: e });
      throw e;
    }
    const info = infoFromHeaders(source.name, opened.headers);
    return this.write(targetKey, this.body(opened.stream, targetKey, options.signal), {
      ifNoneMatch: '*',
      ...(info ? { size: info.size } : {}),
      ...(info?.contentType ? { contentType: info.contentType } : {}),
      ...(options.acl ? { acl: options.acl } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  private async probe(key: string): Promise<Readonly<Capabilities>> {
    const dir = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    const verdict = await probePreconditions(
      {
        write: (k, body, o) => this.write(k, body, o),
        delete: (k, o) => this.delete(k, o),
        copy: (from, to, o) => this.copy(from, to, o),
      },
      dir,
    );
    this.verdict = verdict;
    this.probedCapabilities = capabilitiesAfter(verdict);
    const ignored = [
      ...(verdict.atomicCreate ? [] : ['ifGenerationMatch=0 on uploads']),
      ...(verdict.compareAndSwap ? [] : ['ifGenerationMatch on uploads']),
      ...(verdict.conditionalDelete ? [] : ['ifGenerationMatch on deletes']),
    ];
    // A copy whose rewrite ignores ifGenerationMatch=0 goes through the client instead: nothing to say.
    if (ignored.length > 0) {
      this.options.warn?.(`The Cloud Storage service for gs://${this.bucketName} does not honour ${ignored.join(', ')}; Statestore refuses what it cannot do safely there.`);
    }
    return this.capabilities;
  }

  /** Starts a media download and waits for its response headers (2xx), or for the mapped error. */
  private async download(file: File, key: string, { range, signal }: ReadOptions): Promise<{ stream: Readable; headers: ResponseHeaders }> {
    signal?.throwIfAborted();
    const stream = file.createReadStream(range ? { start: range.start, ...(range.end !== undefined ? { end: range.end } : {}) } : {});
    // Until the caller starts reading, a failure must not be an unhandled 'error' event; reading still sees it.
    stream.on('error', () => undefined);
    try {
      const headers = await new Promise<ResponseHeaders>((resolve, reject) => {
        const onAbort = () => stream.destroy(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        const settle = () => {
          signal?.removeEventListener('abort', onAbort);
          stream.off('error', onError);
        };
        const onError = (e: unknown) => {
          settle();
          reject(e);
        };
        stream.on('error', onError);
        stream.once('response', (response: { statusCode?: number; headers: ResponseHeaders }) => {
          // A failed response is followed by an 'error' event carrying the service's message.
          if (response.statusCode !== undefined && response.statusCode >= 300) return;
          settle();
          resolve(response.headers);
        });
        stream.read(0); // the SDK sends the request when the stream is first read
      });
      return { stream, headers };
    } catch (e) {
      stream.destroy();
      throw this.error(e, key, signal);
    }
  }

  /** The download's bytes, with errors in mid-stream mapped (a dropped connection is Transient) and aborts honoured. */
  private body(stream: Readable, key: string, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
    return responseBody(stream, { signal, mapError: (e) => this.error(e, key, signal) });
  }

  private async loadBucketFacts(): Promise<BucketFacts> {
    const bucket = await this.bucket();
    try {
      const [metadata] = await bucket.getMetadata();
      return { uniformAccess: metadata.iamConfiguration?.uniformBucketLevelAccess?.enabled === true, versioning: metadata.versioning?.enabled === true };
    } catch (e) {
      // Object-only roles may not read bucket settings; the bucket's objects are still usable.
      if (httpStatusOf(e) === 403) return { uniformAccess: undefined, versioning: undefined };
      throw this.error(e, '', undefined, this.bucketMissing(this.urlFor('')));
    }
  }

  /** Throws NotFoundError naming the bucket when it does not exist. */
  private async requireBucket(): Promise<void> {
    await this.bucketFacts();
  }

  /** The predefined ACL to send: the write's, else the store's default; none for uniform bucket-level access. */
  private async aclFor(acl: string | undefined): Promise<PredefinedAcl | undefined> {
    const name = acl ?? this.options.predefinedAcl;
    if (!name) return undefined;
    const predefined = predefinedAclFrom(name, 'acl');
    const { uniformAccess } = await this.bucketFacts();
    if (!uniformAccess) return predefined;
    this.options.warn?.(
      `gs://${this.bucketName} uses uniform bucket-level access: the ACL ${predefined} is not sent (access is managed with IAM on the bucket)`,
    );
    return undefined;
  }

  /** A version token as a generation; a token that is not one can never match. */
  private generationOf(version: string, key: string): string {
    if (!/^\d+$/.test(version)) {
      throw new PreconditionFailedError(`${this.urlFor(key)} cannot match version "${version}": Cloud Storage versions are generation numbers`, {
        url: this.urlFor(key),
      });
    }
    return version;
  }

  private bucketMissing(url: string): string {
    return `Bucket ${this.bucketName} does not exist (${url}). Create it (gcloud storage buckets create gs://${this.bucketName}) or check the URL.`;
  }

  private error(e: unknown, key: string, signal: AbortSignal | undefined, notFound?: string): Error {
    if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
    return mapGcsError(e, { url: this.urlFor(key), bucket: this.bucketName, ...(notFound ? { notFound } : {}) });
  }
}
