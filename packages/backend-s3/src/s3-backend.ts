/**
 * The S3 driver: one bucket, keys relative to it. Conditional writes are native (If-None-Match: * for
 * create, If-Match on the ETag for compare-and-swap), verified once per bucket by the precondition probe.
 * Server-side encryption follows STATESTORE_S3_SSE, decided before the first write (see `sendSse`).
 * Reads stream; streamed writes go through multipart uploads with bounded memory and are never retried.
 * No policy here: core retries TransientErrors, paginates and recurses.
 */
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import {
  NotFoundError,
  UnsupportedError,
  formatObjectUrl,
  isTransient,
  isUnsupported,
  type Backend,
  type Capabilities,
  type CopyOptions,
  type DeleteManyResult,
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
import { emptyBody, once, responseBody, uploadBody } from '@statestore/core/driver-kit';
import { clientFor } from './client.js';
import { copySource } from './copy-source.js';
import { credentialsId, endpointForDisplay, type S3Config } from './config.js';
import { useContentMd5 } from './content-md5.js';
import { DecisionCache } from './decision-cache.js';
import { bucketEncryption, isKms, type BucketEncryption } from './encryption.js';
import { errorCode, httpStatus, mapS3Error, type ErrorContext } from './errors.js';
import { SHA256_METADATA, infoAfterWrite, infoFromListing, infoFromResponse } from './object-info.js';
import { probePreconditions, type ProbeResult, type WriteParams } from './precondition-probe.js';
import { listObjectVersions } from './object-versions.js';
import { resolveRegion, type RegionInfo } from './region.js';
import { loadMultipartUpload, loadSdk, type S3Sdk } from './sdk.js';
import { SSE_CACHE_FILE, probeSseSupport, sseRequiredError, sseUnsupportedNotice } from './sse-support.js';
import type { StoreState } from './store-state.js';

export interface S3BackendOptions {
  config: S3Config;
  /** Shared facts about the bucket (region, encryption, probe verdict). */
  state: StoreState;
  /** Where one-time notices go (core's PluginContext.warn). */
  warn(message: string): void;
}

interface Ready {
  sdk: S3Sdk;
  client: S3Client;
  region: RegionInfo;
}

const MAX_PAGE = 1000;
const MAX_COPY_BYTES = 5 * 1024 ** 3;

export class S3Backend implements Backend {
  /** Backends with the same endpoint and credentials can copy between their buckets server-side. */
  readonly serviceId: string;
  // True private fields: the settings hold credentials and must not show up when a backend is logged.
  readonly #config: S3Config;
  readonly #state: StoreState;
  readonly #warn: (message: string) => void;
  /** Region, client and SDK, found once per backend (the region once per bucket). */
  private readonly prepare = once(() => this.connect());
  /** The bucket's region once known (for messages). */
  private regionName: string | undefined;

  constructor(options: S3BackendOptions) {
    this.#config = options.config;
    this.#state = options.state;
    this.#warn = options.warn;
    this.serviceId = `s3:${options.config.endpoint ?? options.config.awsEndpoint ?? 'aws'}:${credentialsId(options.config.credentials)}`;
  }

  get capabilities(): Readonly<Capabilities> {
    return this.#state.capabilities;
  }

  /**
   * Runs the precondition probe once per bucket (next to `key`, where the caller may write) and freezes the
   * capabilities from it. A probe that cannot decide (a failure that says nothing about the service)
   * rejects, so no conditional write runs until one can; a probe the service refuses outright (no
   * permission) rejects with that error. Nothing is assumed to work without being seen to work.
   */
  settleCapabilities(options: { signal?: AbortSignal; key?: string } = {}): Promise<Readonly<Capabilities>> {
    return this.#state.settled(() => this.prepare().then((r) => this.runProbe(r, options.key ?? '')));
  }

  get bucket(): string {
    return this.#config.bucket;
  }

  urlFor(key: string): string {
    return formatObjectUrl(this.#config.scheme, this.#config.bucket, key);
  }

  async stat(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const r = await this.prepare();
    try {
      const out = await r.client.send(new r.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: options.signal });
      return infoFromResponse(key, out);
    } catch (e) {
      if (httpStatus(e) === 404) return undefined;
      throw mapS3Error(e, this.context(key, 's3:GetObject'));
    }
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const r = await this.prepare();
    const ctx = this.context(key, 's3:GetObject');
    const range = options.range ? `bytes=${options.range.start}-${options.range.end ?? ''}` : undefined;
    try {
      const out = await r.client.send(new r.sdk.GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: range } : {}) }), {
        abortSignal: options.signal,
      });
      return { info: infoFromResponse(key, out), body: responseBody(out.Body as AsyncIterable<Uint8Array>, { signal: options.signal, mapError: (e) => mapS3Error(e, ctx) }) };
    } catch (e) {
      if (range && (errorCode(e) === 'InvalidRange' || httpStatus(e) === 416)) {
        // A range past the end (or any range of an empty object): no bytes, with the object's info.
        const info = await this.stat(key, options);
        if (!info) throw new NotFoundError(`File not found: ${ctx.url}; check the path, or list its folder`, { url: ctx.url });
        return { info, body: emptyBody() };
      }
      throw mapS3Error(e, ctx);
    }
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const r = await this.prepare();
    const ifNoneMatch = options.ifNoneMatch === '*';
    const writeParams = await this.writeParams(r, options.acl, key);
    const metadata = { ...options.metadata, ...(options.sha256 ? { [SHA256_METADATA]: options.sha256 } : {}) };
    const params: PutObjectCommandInput = {
      Bucket: this.bucket,
      Key: key,
      ...writeParams,
      ...(options.contentType ? { ContentType: options.contentType } : {}),
      ...(Object.keys(metadata).length ? { Metadata: metadata } : {}),
      ...(ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      ...(options.ifMatch !== undefined ? { IfMatch: options.ifMatch } : {}),
    };
    const ctx = this.context(key, 's3:PutObject', {
      ifNoneMatch,
      ifMatch: options.ifMatch !== undefined,
      sse: writeParams.ServerSideEncryption !== undefined,
      ...(writeParams.ACL ? { alsoNeeds: ['s3:PutObjectAcl'] } : {}),
    });
    try {
      if (body instanceof Uint8Array) {
        const out = await r.client.send(new r.sdk.PutObjectCommand({ ...params, Body: body }), { abortSignal: options.signal });
        return await this.completeInfo(key, body.byteLength, out, options.sha256, options.contentType, options.metadata);
      }
      return await this.upload(r, key, body, params, options);
    } catch (e) {
      throw this.writeFailed(e, ctx);
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const r = await this.prepare();
    try {
      await r.client.send(
        new r.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(options.ifMatch !== undefined ? { IfMatch: options.ifMatch } : {}) }),
        { abortSignal: options.signal },
      );
    } catch (e) {
      if (options.ifMatch !== undefined && httpStatus(e) === 404) throw new NotFoundError(`File not found: ${this.urlFor(key)}; nothing to remove`, { url: this.urlFor(key), cause: e });
      throw mapS3Error(e, this.context(key, 's3:DeleteObject', { ifMatch: options.ifMatch !== undefined }));
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const r = await this.prepare();
    const maxKeys = Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? MAX_PAGE));
    try {
      const [out, trustMd5] = await Promise.all([
        r.client.send(
          new r.sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            ...(prefix ? { Prefix: prefix } : {}),
            ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
            ...(options.pageToken ? { ContinuationToken: options.pageToken } : {}),
            MaxKeys: maxKeys,
          }),
          { abortSignal: options.signal },
        ),
        this.listedMd5Trusted(r),
      ]);
      return {
        // Folder placeholders (`key/`, made by consoles and some tools) are not files.
        objects: (out.Contents ?? []).filter((o) => o.Key !== undefined && !o.Key.endsWith('/')).map((o) => infoFromListing(o, trustMd5)),
        prefixes: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
        ...(out.IsTruncated && out.NextContinuationToken ? { nextPageToken: out.NextContinuationToken } : {}),
      };
    } catch (e) {
      throw mapS3Error(e, this.context(prefix, 's3:ListBucket'));
    }
  }

  /** The versions a versioned bucket keeps of `key` (s3:ListBucketVersions), newest first. */
  async listVersions(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectVersion[]> {
    const r = await this.prepare();
    try {
      return await listObjectVersions(r.client, r.sdk, this.bucket, key, options.signal);
    } catch (e) {
      throw mapS3Error(e, this.context(key, 's3:ListBucketVersions'));
    }
  }

  /** One version of `key` (s3:GetObjectVersion); NotFound for a delete marker or a version that is gone. */
  async readVersion(key: string, versionId: string, options: ReadOptions = {}): Promise<ReadResult> {
    const r = await this.prepare();
    const ctx = this.context(key, 's3:GetObjectVersion');
    try {
      const out = await r.client.send(new r.sdk.GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }), { abortSignal: options.signal });
      return { info: infoFromResponse(key, out), body: responseBody(out.Body as AsyncIterable<Uint8Array>, { signal: options.signal, mapError: (e) => mapS3Error(e, ctx) }) };
    } catch (e) {
      if (httpStatus(e) === 405) throw new NotFoundError(`Version ${versionId} of ${ctx.url} is a deletion: it has no content`, { url: ctx.url, cause: e });
      throw mapS3Error(e, ctx);
    }
  }

  /** One DeleteObjects request: core sends at most capabilities.maxDeleteBatch (1,000) keys at a time. */
  async deleteMany(keys: string[], options: { signal?: AbortSignal } = {}): Promise<DeleteManyResult> {
    const r = await this.prepare();
    const command = new r.sdk.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } });
    if (this.#config.checksumWhenRequired) useContentMd5(command);
    let out;
    try {
      out = await r.client.send(command, { abortSignal: options.signal });
    } catch (e) {
      throw mapS3Error(e, this.context(keys[0] ?? '', 's3:DeleteObject'));
    }
    const result: DeleteManyResult = { deleted: [], errors: [] };
    const failed = new Set<string>();
    for (const err of out.Errors ?? []) {
      if (!err.Key) continue;
      failed.add(err.Key);
      const sdkLike = Object.assign(new Error(err.Message ?? err.Code ?? 'delete failed'), { name: err.Code ?? 'Error', Code: err.Code });
      result.errors.push({ key: err.Key, error: mapS3Error(sdkLike, this.context(err.Key, 's3:DeleteObject')) });
    }
    for (const key of keys) if (!failed.has(key)) result.deleted.push(key);
    return result;
  }

  copy(sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    return this.copyFromBucket(this, sourceKey, targetKey, options);
  }

  copyFrom(source: Backend, sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    if (!(source instanceof S3Backend) || source.serviceId !== this.serviceId) {
      throw new UnsupportedError(`Cannot copy ${source.urlFor(sourceKey)} to ${this.urlFor(targetKey)} inside S3: they are not on the same S3 service with the same credentials`);
    }
    return this.copyFromBucket(source, sourceKey, targetKey, options);
  }

  private async connect(): Promise<Ready> {
    const sdk = await loadSdk();
    const region = await this.#state.region(() => resolveRegion(this.#config, sdk, (name) => clientFor(this.#config, name)));
    this.regionName = region.region;
    return { sdk, client: await clientFor(this.#config, region.region), region };
  }

  /**
   * The facts for `statestore doctor`: region, the bucket's default encryption and whether a custom
   * endpoint was found to encrypt (only as already decided: finding out takes a write).
   */
  async facts(): Promise<{ region: RegionInfo; encryption?: BucketEncryption; sseSupport?: boolean }> {
    const r = await this.prepare();
    if (this.#config.sse === 'off') return { region: r.region };
    const sseSupport = this.#config.endpoint ? this.sseCache().get(this.sseCacheKey()) : undefined;
    return { region: r.region, encryption: await this.encryption(r), ...(sseSupport !== undefined ? { sseSupport } : {}) };
  }

  private context(key: string, action: string, extra: Partial<ErrorContext> = {}): ErrorContext {
    return {
      url: this.urlFor(key),
      bucket: this.bucket,
      endpoint: endpointForDisplay(this.#config, this.regionName),
      action,
      ...extra,
    };
  }

  /** ACL and SSE for a write of `key`: KOPS_STATE_S3_ACL wins over a per-write ACL; SSE as `sendSse` decides. */
  private async writeParams(r: Ready, acl: string | undefined, key: string): Promise<WriteParams> {
    const ACL = (this.#config.acl ?? acl) as WriteParams['ACL'];
    const sse = await this.sendSse(r, key);
    return { ...(ACL ? { ACL } : {}), ...(sse ? { ServerSideEncryption: 'AES256' } : {}) };
  }

  /**
   * Whether writes ask for SSE (STATESTORE_S3_SSE): never when `off` or when the bucket encrypts by default
   * (its own encryption applies); always on AWS (as kops); on a custom endpoint where it can encrypt, and
   * `require` refuses to write where it cannot. Only called on the way to a write.
   */
  private async sendSse(r: Ready, key: string): Promise<boolean> {
    if (this.#config.sse === 'off') return false;
    const encryption = await this.encryption(r);
    if (encryption.kind === 'default') return false;
    if (!this.#config.endpoint) {
      if (encryption.kind === 'unknown') {
        this.#state.warnOnce(
          `Could not read the default encryption of bucket ${this.bucket} (${this.encryptionCheckFailed(encryption.error).message}). Writes to ${this.urlFor('')} send x-amz-server-side-encryption: AES256, as kops does; allow s3:GetEncryptionConfiguration on arn:aws:s3:::${this.bucket} so that the bucket's default encryption (e.g. SSE-KMS) applies instead.`,
          this.#warn,
        );
      }
      return true;
    }
    if (await this.serverEncrypts(r, key)) return true;
    if (this.#config.sse === 'require') throw sseRequiredError(this.#config.endpoint, this.bucket, this.urlFor(key));
    return false;
  }

  /** Whether the custom endpoint can encrypt in this bucket: from the cache, else checked once with a temp object. */
  private serverEncrypts(r: Ready, key: string): Promise<boolean> {
    return this.#state.sseSupport(() => this.decideServerEncrypts(r, key));
  }

  private async decideServerEncrypts(r: Ready, key: string): Promise<boolean> {
    const cache = this.sseCache();
    const cached = cache.get(this.sseCacheKey());
    // `require` trusts only a "yes": a server fixed since the last "no" is checked again.
    if (cached === true || (cached === false && this.#config.sse === 'auto')) return cached;
    const dir = folderOf(key);
    let supported: boolean;
    try {
      supported = await probeSseSupport(r.client, r.sdk, this.bucket, dir, this.#config.acl as WriteParams['ACL']);
    } catch (e) {
      throw mapS3Error(e, this.context(`${dir}(encryption check)`, 's3:PutObject'));
    }
    cache.set(this.sseCacheKey(), supported);
    if (!supported && this.#config.sse === 'auto') this.#state.warnOnce(sseUnsupportedNotice(this.#config.endpoint!, this.bucket, cache.file), this.#warn);
    return supported;
  }

  private sseCache(): DecisionCache {
    return DecisionCache.in(this.#config.cacheDir, SSE_CACHE_FILE);
  }

  private sseCacheKey(): string {
    return `${this.#config.endpoint ?? ''} ${this.bucket}`;
  }

  /** A failed write as a core error; a custom endpoint that refused SSE is checked again before the next write. */
  private writeFailed(error: unknown, ctx: ErrorContext): Error {
    const mapped = mapS3Error(error, ctx);
    if (ctx.sse && isUnsupported(mapped) && this.#config.endpoint) {
      this.sseCache().delete(this.sseCacheKey());
      this.#state.forgetSseSupport();
    }
    return mapped;
  }

  /** Why the bucket's default encryption could not be read, as a core error. */
  private encryptionCheckFailed(error: unknown): Error {
    return mapS3Error(error, this.context('', 's3:GetEncryptionConfiguration'));
  }

  /**
   * The bucket's default encryption, checked once (a transient failure is checked again next time). On
   * AWS a failed check means "send AES256", which the first write says (reads never speak of writes).
   */
  private encryption(r: Ready): Promise<BucketEncryption> {
    return this.#state.encryption(() =>
      bucketEncryption(r.client, r.sdk, this.bucket).then((found) => {
        if (found.kind === 'unknown' && isTransient(this.encryptionCheckFailed(found.error))) this.#state.forgetEncryption();
        return found;
      }),
    );
  }

  /**
   * Listed ETags are MD5s unless the bucket may hold KMS-encrypted objects: its default encryption is KMS,
   * or (on AWS) could not be read. A custom endpoint that cannot say has no KMS default to report.
   */
  private async listedMd5Trusted(r: Ready): Promise<boolean> {
    const found = await this.encryption(r);
    if (found.kind === 'unknown') return this.#config.endpoint !== undefined;
    return found.kind === 'none' || !isKms(found.algorithm);
  }

  /** Whether the probe saw CopyObject honour If-None-Match (false until it has). */
  private copyIfNoneMatchHonoured(): boolean {
    const outcome = this.#state.probeOutcome;
    return outcome !== undefined && 'result' in outcome && outcome.result.copyIfNoneMatch;
  }

  private async runProbe(r: Ready, key: string): Promise<Readonly<Capabilities>> {
    const dir = folderOf(key);
    const endpoint = endpointForDisplay(this.#config, r.region.region);
    const params = await this.writeParams(r, undefined, key);
    let result: ProbeResult;
    try {
      result = await probePreconditions(r.client, r.sdk, this.bucket, dir, params);
    } catch (e) {
      const mapped = this.writeFailed(e, this.context(`${dir}(probe)`, 's3:PutObject', { sse: params.ServerSideEncryption !== undefined }));
      mapped.message = `Could not check whether ${endpoint} honours conditional writes on bucket ${this.bucket}, so no conditional write is made (${mapped.message})`;
      throw mapped;
    }
    const settled = this.#state.settle(result);
    {
      const ignored = [...(result.atomicCreate ? [] : ['If-None-Match']), ...(result.compareAndSwap ? [] : ['If-Match'])];
      if (ignored.length > 0) {
        this.#state.warnOnce(
          `${endpoint} does not honour ${ignored.join(' and ')} on writes to bucket ${this.bucket}.` +
            (result.atomicCreate ? '' : ' createFile there checks and then writes, so two concurrent writers can both create the same file.') +
            (result.compareAndSwap ? '' : ' Compare-and-swap writes are refused (Unsupported) instead of being silently unsafe.') +
            ' Avoid concurrent writers on this store, or use a service that supports conditional writes.',
          this.#warn,
        );
      }
    }
    return settled;
  }

  /**
   * A streamed body: multipart upload in parts of `partSize`, `queueSize` at a time; aborted (never
   * retried) on failure. Cancelling the signal fails the source stream, so the upload finishes the parts
   * in flight, aborts the multipart upload, and only then rejects: nothing is left behind.
   */
  private async upload(r: Ready, key: string, body: AsyncIterable<Uint8Array>, params: PutObjectCommandInput, options: WriteOptions): Promise<ObjectInfo> {
    let size = 0;
    const counted = uploadBody(body, options.signal, (chunk) => {
      size += chunk.byteLength;
    });
    const { uploadStream } = await loadMultipartUpload();
    const out = await uploadStream(r.client, r.sdk, params, counted, this.#config.multipart);
    return await this.completeInfo(key, size, out, undefined, options.contentType, options.metadata);
  }

  /** Info after a write; a service that returned no ETag is asked for it (the version is needed for compare-and-swap). */
  private async completeInfo(
    key: string,
    size: number,
    out: { ETag?: string | undefined; ServerSideEncryption?: string | undefined; SSECustomerAlgorithm?: string | undefined },
    sha256: string | undefined,
    contentType: string | undefined,
    metadata?: Record<string, string>,
  ): Promise<ObjectInfo> {
    if (out.ETag) return { ...infoAfterWrite(key, size, out, sha256, contentType), ...(metadata ? { metadata } : {}) };
    const info = await this.stat(key);
    if (!info) throw new NotFoundError(`${this.urlFor(key)} was written but cannot be found; the bucket may be eventually consistent, try again`, { url: this.urlFor(key) });
    return info;
  }

  private async copyFromBucket(source: S3Backend, sourceKey: string, targetKey: string, options: CopyOptions): Promise<ObjectInfo> {
    const r = await this.prepare();
    // A sync passes the listing's info: no HEAD per copied file.
    const from = options.sourceInfo ?? (await source.stat(sourceKey, options));
    if (!from) throw new NotFoundError(`File not found: ${source.urlFor(sourceKey)}; nothing to copy`, { url: source.urlFor(sourceKey) });
    if (from.size > MAX_COPY_BYTES) {
      throw new UnsupportedError(`Cannot copy ${source.urlFor(sourceKey)} inside S3: it is larger than 5 GiB, the limit of a single CopyObject`, { url: this.urlFor(targetKey) });
    }
    const ifNoneMatch = options.ifNoneMatch === '*';
    if (ifNoneMatch && !this.copyIfNoneMatchHonoured()) {
      // CopyObject ignores If-None-Match here, PutObject does not (core refused the copy unless creation is atomic): copy through the client.
      const { info, body } = await source.read(sourceKey, options);
      return this.write(targetKey, body, {
        ifNoneMatch: '*',
        size: info.size,
        ...(options.acl ? { acl: options.acl } : {}),
        ...(info.contentType ? { contentType: info.contentType } : {}),
        ...(info.hashes?.sha256 ? { sha256: info.hashes.sha256 } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    const writeParams = await this.writeParams(r, options.acl, targetKey);
    try {
      const out = await r.client.send(
        new r.sdk.CopyObjectCommand({
          Bucket: this.bucket,
          Key: targetKey,
          CopySource: copySource(source.bucket, sourceKey),
          ...writeParams,
          ...(ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        }),
        { abortSignal: options.signal },
      );
      const result = out.CopyObjectResult ?? {};
      return await this.completeInfo(
        targetKey,
        from.size,
        { ETag: result.ETag, ServerSideEncryption: out.ServerSideEncryption, SSECustomerAlgorithm: out.SSECustomerAlgorithm },
        from.hashes?.sha256,
        from.contentType,
      );
    } catch (e) {
      if (errorCode(e) === 'NoSuchKey') throw new NotFoundError(`File not found: ${source.urlFor(sourceKey)} (removed while copying)`, { url: source.urlFor(sourceKey), cause: e });
      throw this.writeFailed(e, this.context(targetKey, 's3:PutObject', { ifNoneMatch, sse: writeParams.ServerSideEncryption !== undefined, alsoNeeds: ['s3:GetObject on the source'] }));
    }
  }
}

/** The folder of `key` (`''` or ending in `/`), where the probes write their temp objects. */
function folderOf(key: string): string {
  return key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
}
