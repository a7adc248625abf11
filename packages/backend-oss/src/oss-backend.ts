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
 * - versions: on a bucket with versioning, every version of a key and its delete markers (ListObjectVersions),
 *   each readable by its version id; a bucket that never had versioning keeps none.
 */
import { randomUUID } from 'node:crypto';
import { InvalidConfigError, NotFoundError, StatestoreError, UnsupportedError, formatObjectUrl, type Backend, type Capabilities, type CopyOptions, type DeleteManyResult, type DeleteOptions, type ListOptions, type ListPage, type ObjectInfo, type ObjectVersion, type ReadOptions, type ReadResult, type WriteBody, type WriteOptions } from '@statestore/core';
import { checkWriteMetadata, freezeCapabilities, httpSettingsFor, nodeAgents, once, rangeOfBody, responseBody } from '@statestore/core/driver-kit';
import { type AliOssClient, type AliRequestOptions, createClient, endpointOf, withSignal } from './client.js';
import { aclFrom, regionFrom, type OssSettings } from './config.js';
import { credentialSource } from './credentials.js';
import { EcsMetadataClient } from './ecs-metadata.js';
import { httpStatusOf, mapOssError, ossCodeOf } from './errors.js';
import { SHA256_METADATA_KEY, infoFromHeaders, infoFromListing, urlDecode, versionOf } from './object-info.js';
import { listObjectVersions } from './object-versions.js';
import { uploadStream } from './upload.js';

const MAX_KEYS = 1000;
/** Core hides keys whose name starts with `.statestore-tmp-` from listings. */
const PROBE_PREFIX = '.statestore-tmp-probe-';

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
  /** ali-oss's client and the HTTP agents, set up on the first request (again after a failure). */
  private readonly connection = once<Connection>(() => this.setUp());
  /** The bucket's versioning state, once read. */
  private versioning: Versioning | 'unreadable' | undefined;
  private readonly versioningRead = once<void>();
  private readonly metadataClient: EcsMetadataClient;

  constructor(private readonly options: OssBackendOptions) {
    const { settings } = options;
    this.metadataClient = new EcsMetadataClient(settings.metadataEndpoint, settings.credentials.kind === 'ecs-ram-role' ? { imdsV1Disabled: settings.credentials.imdsV1Disabled } : {});
  }

  get bucket(): string {
    return this.options.settings.bucket;
  }

  /** Until settled: creation is not assumed atomic. */
  get capabilities(): Readonly<Capabilities> {
    return this.settled ?? capabilitiesFor(this.bucket, undefined, false);
  }

  /**
   * Reads the bucket's versioning (x-oss-forbid-overwrite is ignored on versioned buckets) once, and freezes
   * the capabilities from it. Without permission to read it, a probe object written twice with
   * x-oss-forbid-overwrite decides; nothing is assumed.
   */
  async settleCapabilities(): Promise<Readonly<Capabilities>> {
    if (this.settled) return this.settled;
    const url = this.urlFor('');
    try {
      const { client } = await this.connect();
      if (this.versioning === undefined) {
        throw new NotFoundError(`Bucket ${this.bucket} does not exist (or is not visible to these credentials): ${url}`, { url });
      }
      const atomicCreate = this.versioning === 'unreadable' ? await this.forbidOverwriteHonoured(client) : this.versioning === 'off';
      this.settled ??= capabilitiesFor(this.bucket, this.versioning, atomicCreate);
      return this.settled;
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket });
    }
  }

  /** Writes a probe object twice with x-oss-forbid-overwrite: true when the second is refused. */
  private async forbidOverwriteHonoured(client: AliOssClient): Promise<boolean> {
    const key = `${PROBE_PREFIX}${randomUUID()}`;
    const request = { headers: { 'x-oss-forbid-overwrite': 'true', 'x-oss-object-acl': 'private' } };
    await client.put(key, Buffer.from('statestore probe; safe to delete\n'), request);
    try {
      await client.put(key, Buffer.from('second\n'), request);
      return false;
    } catch (e) {
      if (ossCodeOf(e) === 'FileAlreadyExists') return true;
      throw e;
    } finally {
      await client.delete(key).catch(() => undefined);
    }
  }

  private settled: Readonly<Capabilities> | undefined;

  urlFor(key: string): string {
    return formatObjectUrl('oss', this.bucket, key);
  }

  async stat(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const url = this.urlFor(key);
    try {
      const { client } = await this.connect();
      const { res } = await withSignal(options.signal, () => client.head(key));
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
      const { stream, res } = await withSignal(options.signal, () => client.getStream(key, request));
      const body = responseBody(stream, { signal: options.signal, mapError: (e) => mapOssError(e, { url, bucket: this.bucket }) });
      // OSS answers a range it judges invalid (an end past the object's end) with the whole object (200).
      const whole = range !== undefined && res.headers['content-range'] === undefined;
      return { info: infoFromHeaders(key, res.headers), body: whole ? rangeOfBody(body, range.start, range.end) : body };
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
    const meta = { ...options.metadata, ...(options.sha256 ? { [SHA256_METADATA_KEY]: options.sha256 } : {}) };
    checkWriteMetadata(meta);
    try {
      const { client } = await this.connect();
      const headers: Record<string, string> = { 'x-oss-object-acl': acl };
      if (options.ifNoneMatch === '*') await this.prepareCreate(key, headers);
      const request: AliRequestOptions = {
        headers,
        ...(Object.keys(meta).length ? { meta } : {}),
        ...(options.contentType ? { mime: options.contentType } : {}),
      };
      options.signal?.throwIfAborted();
      if (body instanceof Uint8Array) {
        const { res } = await withSignal(options.signal, () => client.put(key, Buffer.from(body.buffer, body.byteOffset, body.byteLength), request));
        return this.written(key, body.byteLength, res.headers.etag, res.headers.date, options.sha256, options.metadata);
      }
      const result = await withSignal(options.signal, () =>
        uploadStream({ client, key, body, partSize: this.options.settings.partSize, request, ...(options.signal ? { signal: options.signal } : {}) }),
      );
      if (result.single && result.etag) return this.written(key, result.size, result.etag, undefined, options.sha256, options.metadata);
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
      await withSignal(options.signal, () => client.delete(key));
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
      const page = await withSignal(options.signal, () => client.listV2(query));
      return {
        objects: page.objects.map((o) => infoFromListing(urlDecode(o.name), o)),
        prefixes: (page.prefixes ?? []).map(urlDecode),
        ...(page.isTruncated && page.nextContinuationToken ? { nextPageToken: urlDecode(page.nextContinuationToken) } : {}),
      };
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket, notFound: `Bucket ${this.bucket} does not exist (${url}); create it, or check the bucket name, OSS_REGION and OSS_ENDPOINT` });
    }
  }

  /** The versions a versioned bucket keeps of `key` (oss:ListObjectVersions), newest first, delete markers included. */
  async listVersions(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectVersion[]> {
    const url = this.urlFor(key);
    try {
      const { client } = await this.connect();
      return await withSignal(options.signal, () => listObjectVersions(client, key));
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket, permission: 'oss:ListObjectVersions' });
    }
  }

  /** One version of `key` (oss:GetObjectVersion); NotFound for a delete marker or a version that is gone. */
  async readVersion(key: string, versionId: string, options: ReadOptions = {}): Promise<ReadResult> {
    const url = this.urlFor(key);
    const context = {
      url,
      bucket: this.bucket,
      permission: 'oss:GetObjectVersion',
      notFound: `Version ${versionId} of ${url} has no content: it is a deletion (a delete marker), or the bucket no longer keeps it`,
    };
    try {
      const { client } = await this.connect();
      options.signal?.throwIfAborted();
      const { stream, res } = await withSignal(options.signal, () => client.getStream(key, { subres: { versionId } }));
      return { info: infoFromHeaders(key, res.headers), body: responseBody(stream, { signal: options.signal, mapError: (e) => mapOssError(e, context) }) };
    } catch (e) {
      throw mapOssError(e, context);
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
    try {
      const { client } = await this.connect();
      const headers: Record<string, string> = { 'x-oss-object-acl': acl };
      if (options.ifNoneMatch === '*') await this.prepareCreate(targetKey, headers);
      options.signal?.throwIfAborted();
      await withSignal(options.signal, () => client.copy(targetKey, sourceKey, { headers }));
      const info = await this.stat(targetKey);
      if (!info) throw new NotFoundError(`${url} was copied but is not there; another writer may have removed it`, { url });
      return info;
    } catch (e) {
      throw mapOssError(e, { url, bucket: this.bucket, notFound: `File not found: ${this.urlFor(sourceKey)}; nothing to copy` });
    }
  }

  async close(): Promise<void> {
    const c = this.connection.started ? await this.connection().catch(() => undefined) : undefined;
    this.connection.reset();
    c?.agents.http.destroy();
    c?.agents.https.destroy();
  }

  /**
   * Makes a write create-only (`x-oss-forbid-overwrite`), where the settled capabilities say OSS honours it;
   * elsewhere (a versioned bucket) refused, never silently weaker: core checks, then writes, instead.
   */
  private async prepareCreate(key: string, headers: Record<string, string>): Promise<void> {
    if ((await this.settleCapabilities()).atomicCreate) {
      headers['x-oss-forbid-overwrite'] = 'true';
      return;
    }
    const url = this.urlFor(key);
    throw new UnsupportedError(
      `Cannot create ${url} atomically: bucket ${this.bucket} has versioning ${this.versioning}, and OSS ignores x-oss-forbid-overwrite on versioned buckets (capabilities.atomicCreate is false)`,
      { url },
    );
  }

  private written(key: string, size: number, etagHeader: string | string[] | undefined, date: string | string[] | undefined, sha256: string | undefined, metadata: Record<string, string> | undefined): ObjectInfo {
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
      ...(metadata ? { metadata: { ...metadata } } : {}),
    };
  }

  private async connect(): Promise<Connection> {
    const c = await this.connection();
    if (this.versioning === undefined) {
      await this.versioningRead(() => this.readVersioning(c.client));
      // Read once it succeeded; a failure is read again by the next request.
      this.versioningRead.reset();
    }
    return c;
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
          `Cannot read the versioning state of bucket ${this.bucket} (no oss:GetBucketVersioning permission); a probe object decides whether x-oss-forbid-overwrite is honoured before the first create`,
        );
        this.versioning = 'unreadable';
      } else if (ossCodeOf(e) === 'NoSuchBucket') {
        // Left unknown: every operation on a missing bucket fails with NotFound naming it.
      } else {
        throw e;
      }
    }
  }
}

/** The capabilities for a bucket whose versioning is as given (undefined: not yet known). */
function capabilitiesFor(bucket: string, versioning: Versioning | 'unreadable' | undefined, atomicCreate: boolean): Readonly<Capabilities> {
  const versioned = versioning === 'Enabled' || versioning === 'Suspended';
  return freezeCapabilities({
    atomicCreate,
    compareAndSwap: false,
    conditionalDelete: false,
    versions: true,
    writeMetadata: true,
    acl: true,
    serverSideCopy: true,
    streaming: true,
    rangeReads: true,
    contentType: true,
    fileAndPrefix: true,
    hashes: ['md5', 'sha256'],
    maxPageSize: MAX_KEYS,
    // OSS: "the length of the object name must be less than 1024 bytes".
    maxKeyBytes: 1023,
    notes: [
      ...(versioning === undefined ? ['Whether creation is atomic is found out before the first create (bucket versioning).'] : []),
      ...(versioned ? [`Bucket ${bucket} has versioning ${versioning}: OSS ignores x-oss-forbid-overwrite there, so createFile checks, then writes (not atomic), and leases (updateFile's lock) use core's candidate protocol (a listing and a settle delay), as on Swift.`] : []),
      NO_CAS_NOTE,
      'versions: kept where bucket versioning is on (listed with oss:ListObjectVersions, read with oss:GetObjectVersion)',
    ],
  });
}

