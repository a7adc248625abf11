/**
 * The oss:// driver, on ali-oss. Nothing happens until the first request; then the region (OSS_REGION, else the
 * ECS metadata service), the credentials and the client are set up once, and the bucket's versioning state is
 * read (GetBucketVersioning).
 *
 * What OSS gives, and so what this driver declares:
 * - atomic create: `x-oss-forbid-overwrite: true` (409 FileAlreadyExists) — except on a bucket whose versioning
 *   is Enabled or Suspended, where OSS ignores that header; there creation is a check-then-write and the
 *   capabilities say so.
 * - no compare-and-swap: OSS's PutObject honours no If-Match (it answers 400 NotImplemented), so `ifMatch` on a
 *   write or a delete is refused with UnsupportedError; core's updateFile then uses a lock object made by
 *   atomic create.
 * - listings with ListObjectsV2 (continuation tokens, `max-keys` from the page size, keys URL-encoded on the wire);
 *   batch deletes with DeleteMultipleObjects, each key the service does not confirm reported as an error;
 *   streams written part by part (multipart above one part) with bounded memory; server-side copy; range reads.
 * - objects are written with `x-oss-object-acl` (private unless configured or asked otherwise), and with core's
 *   SHA-256 as `x-oss-meta-sha256`, reported back as a hash.
 */
import {
  AlreadyExistsError,
  InvalidConfigError,
  NotFoundError,
  StatestoreError,
  UnsupportedError,
  formatObjectUrl,
  httpSettingsFor,
  nodeAgents,
  type Backend,
  type Capabilities,
  type CopyOptions,
  type DeleteManyResult,
  type DeleteOptions,
  type ListOptions,
  type ListPage,
  type ObjectInfo,
  type ReadOptions,
  type ReadResult,
  type WriteBody,
  type WriteOptions,
} from '@statestore/core';
import type { Readable } from 'node:stream';
import { type AliOssClient, type AliRequestOptions, createClient, endpointOf } from './client.js';
import { aclFrom, regionFrom, type OssSettings } from './config.js';
import { credentialSource } from './credentials.js';
import { EcsMetadataClient } from './ecs-metadata.js';
import { httpStatusOf, mapOssError, ossCodeOf } from './errors.js';
import { SHA256_METADATA_KEY, infoFromHeaders, infoFromListing, versionOf } from './object-info.js';
import { uploadStream } from './upload.js';

const MAX_KEYS = 1000;

const NO_CAS_NOTE =
  "OSS's PutObject honours no If-Match (it answers 400 NotImplemented), so there is no compare-and-swap; updateFile takes a lock object created with x-oss-forbid-overwrite.";

export interface OssBackendOptions {
  settings: OssSettings;
  /** The environment the store was opened with (HTTP proxy, CA and timeout settings). */
  env: NodeJS.ProcessEnv;
  warn(message: string): void;
}

interface Connection {
  client: AliOssClient;
  agents: ReturnType<typeof nodeAgents>;
}

type Versioning = 'Enabled' | 'Suspended' | 'off';

export class OssBackend implements Backend {
  private connection: Promise<Connection> | undefined;
  /** The bucket's versioning state, once read. */
  private versioning: Versioning | undefined;
  private versioningRead: Promise<void> | undefined;
  private readonly metadataClient: EcsMetadataClient;

  constructor(private readonly options: OssBackendOptions) {
    const { settings } = options;
    this.metadataClient = new EcsMetadataClient(settings.metadataEndpoint, settings.credentials.kind === 'ecs-ram-role' ? { imdsV1Disabled: settings.credentials.imdsV1Disabled } : {});
  }

  get bucket(): string {
    return this.options.settings.bucket;
  }

  get capabilities(): Capabilities {
    const versioned = this.versioning === 'Enabled' || this.versioning === 'Suspended';
    return {
      atomicCreate: !versioned,
      compareAndSwap: false,
      conditionalDelete: false,
      versions: versioned,
      acl: true,
      serverSideCopy: true,
      streaming: true,
      rangeReads: true,
      hashes: ['md5', 'sha256'],
      maxPageSize: MAX_KEYS,
      notes: versioned
        ? [
            `Bucket ${this.bucket} has versioning ${this.versioning}: OSS ignores x-oss-forbid-overwrite there, so createFile checks, then writes (not atomic), and updateFile is refused.`,
            NO_CAS_NOTE,
          ]
        : [NO_CAS_NOTE],
    };
  }

  urlFor(key: string): string {
    return formatObjectUrl('oss', this.bucket, key);
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const url = this.urlFor(key);
    try {
      const { client } = await this.connect();
      const { res } = await client.head(key);
      return infoFromHeaders(key, res.headers);
    } catch (e) {
      if (httpStatusOf(e) === 404 && ossCodeOf(e) !== 'NoSuchBucket') return undefined;
      throw mapOssError(e, { url, bucket: this.bucket });
    }
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const url = this.urlFor(key);
    try {
      const { client } = await this.connect();
      const range = options.range;
      const request: AliRequestOptions = range ? { headers: { Range: `bytes=${range.start}-${range.end ?? ''}` } } : {};
      options.signal?.throwIfAborted();
      const { stream, res } = await client.getStream(key, request);
      const abort = () => stream.destroy(options.signal?.reason as Error);
      options.signal?.addEventListener('abort', abort, { once: true });
      return { info: infoFromHeaders(key, res.headers), body: this.mapped(stream, url, () => options.signal?.removeEventListener('abort', abort)) };
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket });
    }
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const url = this.urlFor(key);
    if (options.ifMatch !== undefined) {
      throw new UnsupportedError(`Cannot write ${url} only if it is unchanged: ${NO_CAS_NOTE} Use updateFile.`, { url });
    }
    const acl = aclFrom(options.acl, 'the acl option') ?? this.options.settings.acl;
    const knewVersioning = this.versioning !== undefined;
    try {
      const { client } = await this.connect();
      const headers: Record<string, string> = { 'x-oss-object-acl': acl };
      if (options.ifNoneMatch === '*') await this.prepareCreate(key, headers, knewVersioning);
      const request: AliRequestOptions = {
        headers,
        ...(options.sha256 ? { meta: { [SHA256_METADATA_KEY]: options.sha256 } } : {}),
        ...(options.contentType ? { mime: options.contentType } : {}),
      };
      options.signal?.throwIfAborted();
      if (body instanceof Uint8Array) {
        const { res } = await client.put(key, Buffer.from(body.buffer, body.byteOffset, body.byteLength), request);
        return this.written(key, body.byteLength, res.headers.etag, res.headers.date, options.sha256);
      }
      const result = await uploadStream({ client, key, body, partSize: this.options.settings.partSize, request, ...(options.signal ? { signal: options.signal } : {}) });
      if (result.single && result.etag) return this.written(key, result.size, result.etag, undefined, options.sha256);
      const info = await this.stat(key);
      if (!info) throw new NotFoundError(`${url} was uploaded but is not there; another writer may have removed it`, { url });
      return info;
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket });
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const url = this.urlFor(key);
    if (options.ifMatch !== undefined) {
      throw new UnsupportedError(`Cannot delete ${url} only if it is unchanged: OSS's DeleteObject takes no precondition.`, { url });
    }
    try {
      const { client } = await this.connect();
      await client.delete(key);
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket });
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const url = this.urlFor(prefix);
    try {
      const { client } = await this.connect();
      const query: Record<string, string | number> = {
        'max-keys': Math.min(MAX_KEYS, Math.max(1, options.pageSize ?? MAX_KEYS)),
        'encoding-type': 'url',
      };
      // Empty values are left out: `prefix=` would be signed differently by the client and the service.
      if (prefix !== '') query.prefix = prefix;
      if (options.delimiter) query.delimiter = options.delimiter;
      if (options.pageToken) query['continuation-token'] = options.pageToken;
      options.signal?.throwIfAborted();
      const page = await client.listV2(query);
      return {
        objects: page.objects.map((o) => infoFromListing(urlDecode(o.name), o)),
        prefixes: (page.prefixes ?? []).map(urlDecode),
        ...(page.isTruncated && page.nextContinuationToken ? { nextPageToken: urlDecode(page.nextContinuationToken) } : {}),
      };
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket, notFound: `Bucket ${this.bucket} does not exist (${url}); create it, or check the bucket name, OSS_REGION and OSS_ENDPOINT` });
    }
  }

  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    if (keys.length === 0) return { deleted: [], errors: [] };
    const url = this.urlFor(keys[0]!);
    try {
      const { client } = await this.connect();
      const { deleted } = await client.deleteMulti(keys, { quiet: false });
      const confirmed = new Set((deleted ?? []).map((d) => (typeof d === 'string' ? d : d.Key)));
      return {
        deleted: keys.filter((k) => confirmed.has(k)),
        errors: keys
          .filter((k) => !confirmed.has(k))
          .map((key) => ({
            key,
            error: new StatestoreError('Unknown', `OSS did not confirm deleting ${this.urlFor(key)} in a DeleteMultipleObjects request; run removeAll again`, { url: this.urlFor(key) }),
          })),
      };
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket });
    }
  }

  async copy(sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    const url = this.urlFor(targetKey);
    const acl = aclFrom(options.acl, 'the acl option') ?? this.options.settings.acl;
    const knewVersioning = this.versioning !== undefined;
    try {
      const { client } = await this.connect();
      const headers: Record<string, string> = { 'x-oss-object-acl': acl };
      if (options.ifNoneMatch === '*') await this.prepareCreate(targetKey, headers, knewVersioning);
      options.signal?.throwIfAborted();
      await client.copy(targetKey, sourceKey, { headers });
      const info = await this.stat(targetKey);
      if (!info) throw new NotFoundError(`${url} was copied but is not there; another writer may have removed it`, { url });
      return info;
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket, notFound: `File not found: ${this.urlFor(sourceKey)}; nothing to copy` });
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    const c = await connection?.catch(() => undefined);
    c?.agents.http.destroy();
    c?.agents.https.destroy();
  }

  /**
   * Makes a write create-only: `x-oss-forbid-overwrite` on an unversioned bucket; on a versioned one (where OSS
   * ignores it) a check first. If this very call is what revealed the versioning, the caller chose its strategy
   * believing creation atomic, so it is told instead of silently getting a weaker guarantee.
   */
  private async prepareCreate(key: string, headers: Record<string, string>, knewVersioning: boolean): Promise<void> {
    if (this.versioning !== 'Enabled' && this.versioning !== 'Suspended') {
      headers['x-oss-forbid-overwrite'] = 'true';
      return;
    }
    const url = this.urlFor(key);
    if (!knewVersioning) {
      throw new UnsupportedError(
        `Cannot create ${url} atomically: bucket ${this.bucket} has versioning ${this.versioning}, and OSS ignores x-oss-forbid-overwrite on versioned buckets. This store now reports atomicCreate: false; createFile will check, then write, and updateFile is refused.`,
        { url },
      );
    }
    if (await this.stat(key)) throw new AlreadyExistsError(`File already exists: ${url}; read it, or remove it first`, { url });
  }

  private written(key: string, size: number, etagHeader: string | string[] | undefined, date: string | string[] | undefined, sha256: string | undefined): ObjectInfo {
    const etag = versionOf(Array.isArray(etagHeader) ? etagHeader[0] : etagHeader);
    const when = Array.isArray(date) ? date[0] : date;
    // A PutObject ETag is the content's MD5 (OSS API reference, PutObject).
    const md5 = /^[0-9a-f]{32}$/i.test(etag) ? etag.toLowerCase() : undefined;
    return {
      key,
      size,
      version: etag,
      ...(when ? { modified: new Date(when) } : {}),
      ...(md5 || sha256 ? { hashes: { ...(md5 ? { md5 } : {}), ...(sha256 ? { sha256 } : {}) } } : {}),
    };
  }

  private async *mapped(stream: Readable, url: string, done: () => void): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket });
    } finally {
      done();
      stream.destroy();
    }
  }

  private connect(): Promise<Connection> {
    if (!this.connection) {
      this.connection = this.setUp();
      this.connection.catch(() => {
        this.connection = undefined;
      });
    }
    return this.connection.then(async (c) => {
      if (this.versioning === undefined) {
        this.versioningRead ??= this.readVersioning(c.client).finally(() => {
          this.versioningRead = undefined;
        });
        await this.versioningRead;
      }
      return c;
    });
  }

  private async setUp(): Promise<Connection> {
    const { settings, env, warn } = this.options;
    let region = settings.region;
    if (!region) {
      const id = await this.metadataClient.regionId().catch((e: Error) => {
        throw new InvalidConfigError(
          `OSS_REGION is not set and the ECS metadata service at ${settings.metadataEndpoint} did not say which region this is (${e.message}); set OSS_REGION, e.g. oss-cn-hangzhou`,
          { url: this.urlFor(''), cause: e },
        );
      });
      region = regionFrom(id, 'the ECS metadata region-id');
    }
    const http = httpSettingsFor(endpointOf(settings, region), { env });
    const agents = nodeAgents(http);
    const credentials = credentialSource(settings.credentials, this.metadataClient, warn);
    const initial = await credentials.current();
    const client = await createClient({ settings, region, credentials, initial, timeoutMs: http.timeoutMs, agents });
    return { client, agents };
  }

  /** GetBucketVersioning, once. Without permission to read it (AccessDenied), the bucket is taken as unversioned, with a warning. */
  private async readVersioning(client: AliOssClient): Promise<void> {
    try {
      const { versionStatus } = await client.getBucketVersioning(this.bucket);
      this.versioning = versionStatus === 'Enabled' || versionStatus === 'Suspended' ? versionStatus : 'off';
    } catch (e) {
      // Only a refused permission is tolerated; a bad signature or key fails here as it would anywhere.
      if (httpStatusOf(e) === 403 && ossCodeOf(e) === 'AccessDenied') {
        this.options.warn(
          `Cannot read the versioning state of bucket ${this.bucket} (no oss:GetBucketVersioning permission); assuming versioning is off, so createFile relies on x-oss-forbid-overwrite`,
        );
        this.versioning = 'off';
      } else if (ossCodeOf(e) === 'NoSuchBucket') {
        // Left unknown: every operation on a missing bucket fails with NotFound naming it.
      } else {
        throw e;
      }
    }
  }
}

/** Keys and tokens come URL-encoded (encoding-type=url). */
function urlDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}
