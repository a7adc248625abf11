/**
 * The azureblob:// driver: one container of one storage account, keys are blob names. It uses Azure's
 * native preconditions (If-None-Match: * to create, If-Match: <etag> to compare-and-swap and to delete
 * conditionally), listing with prefix, delimiter and continuation tokens, Blob Batch for deleteMany, Copy
 * Blob for server-side copies, and streams in both directions. It carries no policy: one request per
 * call, no retries (the SDK's are off), no pagination loops.
 */
import type { BlobClient, BlobItem, ContainerClient, ListBlobsFlatSegmentResponse, ListBlobsHierarchySegmentResponse } from '@azure/storage-blob';
import { UnsupportedError, formatObjectUrl, type Backend, type Capabilities, type CopyOptions, type DeleteManyResult, type DeleteOptions, type ListOptions, type ListPage, type ObjectInfo, type ReadOptions, type ReadResult, type WriteBody, type WriteOptions } from '@statestore/core';
import { checkWriteMetadata, emptyBody, freezeCapabilities, once, responseBody } from '@statestore/core/driver-kit';
import { serviceClient } from './client.js';
import type { AzureBlobSettings } from './config.js';
import { type ErrorContext, azureErrorCode, isMissing, mapAzureError } from './errors.js';
import { uploadBlob } from './upload.js';

/** Largest page List Blobs returns. */
export const MAX_PAGE_SIZE = 5000;
/** Largest number of sub-requests in one Blob Batch. */
export const MAX_BATCH = 256;

const capabilities: Readonly<Capabilities> = freezeCapabilities({
  atomicCreate: true,
  compareAndSwap: true,
  conditionalDelete: true,
  // Blob versioning is not implemented: Azurite, the test server, keeps no versions (see the README).
  versions: false,
  writeMetadata: true,
  acl: false,
  serverSideCopy: true,
  streaming: true,
  rangeReads: true,
  contentType: true,
  fileAndPrefix: true,
  hashes: ['md5'],
  maxPageSize: MAX_PAGE_SIZE,
  // Azure Blob Storage turns a backslash in a blob name into a forward slash: such a key cannot be kept.
  refusedKeyCharacters: '\\',
  notes: [
    'createFile, compare-and-swap and conditional delete use Azure preconditions (If-None-Match: *, If-Match: <ETag>)',
    'md5 is the blob\'s Content-MD5; blobs written by other tools in blocks may not have one',
    'a write to a missing container creates it (private), as kops does',
    'write metadata is blob metadata, "-" in names kept as "_" (Azure names are C# identifiers)',
  ],
});

export class AzureBlobBackend implements Backend {
  readonly capabilities = capabilities;
  /** Same endpoint and credential: Copy Blob can read the source with the target's authorisation. */
  readonly serviceId: string;
  /** The container's client, made on the first request (again after a failure to make it). */
  private readonly containerClient = once<ContainerClient>(() => serviceClient(this.settings).then((s) => s.getContainerClient(this.container)));

  constructor(
    private readonly settings: AzureBlobSettings,
    readonly container: string,
  ) {
    this.serviceId = `azureblob:${settings.id}`;
  }

  urlFor(key: string): string {
    return formatObjectUrl('azureblob', this.settings.account, `${this.container}/${key}`);
  }

  async stat(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const blob = await this.blob(key);
    try {
      const p = await blob.getProperties({ abortSignal: options.signal });
      return withMetadata(toInfo(key, p.contentLength ?? 0, p.etag, p.lastModified, p.contentMD5, p.contentType), p.metadata);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw this.error(e, key, 'Get Blob Properties', { signal: options.signal });
    }
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const blob = await this.blob(key);
    const start = options.range?.start ?? 0;
    const end = options.range?.end;
    try {
      const r = await blob.download(start, end === undefined ? undefined : end - start + 1, { abortSignal: options.signal, maxRetryRequests: 0 });
      const total = r.contentRange ? Number(r.contentRange.slice(r.contentRange.lastIndexOf('/') + 1)) : (r.contentLength ?? 0);
      const md5 = r.blobContentMD5 ?? (r.contentRange ? undefined : r.contentMD5);
      const info = withMetadata(toInfo(key, total, r.etag, r.lastModified, md5, r.contentType), r.metadata);
      const body = r.readableStreamBody as AsyncIterable<Uint8Array> | undefined;
      return { info, body: body ? responseBody(body, { signal: options.signal, mapError: (e) => this.error(e, key, 'Get Blob', { signal: options.signal }) }) : emptyBody() };
    } catch (e) {
      // A range that starts at or past the end (416 InvalidRange): nothing to read, as on every backend.
      if (options.range && azureErrorCode(e) === 'InvalidRange') {
        const info = await this.stat(key, options.signal ? { signal: options.signal } : {});
        if (info) return { info, body: emptyBody() };
      }
      throw this.error(e, key, 'Get Blob', { signal: options.signal });
    }
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const blob = (await this.blob(key)).getBlockBlobClient();
    try {
      const r = await uploadBlob(blob, body, {
        ...(options.ifNoneMatch ? { ifNoneMatch: options.ifNoneMatch } : {}),
        ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(options.metadata ? { metadata: toAzureMetadata(options.metadata) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        // A compare-and-swap needs the blob, so never creates its container.
        firstRequest: (request) => (options.ifMatch === undefined ? this.creatingContainer(request) : request()),
      });
      return { ...toInfo(key, r.size, r.etag, r.lastModified, r.md5, options.contentType), ...(options.metadata ? { metadata: { ...options.metadata } } : {}) };
    } catch (e) {
      throw this.error(e, key, 'Put Blob', { signal: options.signal, ifNoneMatch: options.ifNoneMatch === '*', ifMatch: options.ifMatch !== undefined });
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const blob = await this.blob(key);
    try {
      await blob.delete({ deleteSnapshots: 'include', abortSignal: options.signal, ...(options.ifMatch !== undefined ? { conditions: { ifMatch: options.ifMatch } } : {}) });
    } catch (e) {
      // Missing is quietly fine, unless a version was given: then the caller learns it is gone.
      if (isMissing(e)) {
        if (options.ifMatch === undefined) return;
        throw this.error(e, key, 'Delete Blob', { signal: options.signal });
      }
      throw this.error(e, key, 'Delete Blob', { signal: options.signal, ifMatch: options.ifMatch !== undefined });
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const container = await this.client();
    const maxPageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, options.pageSize ?? MAX_PAGE_SIZE));
    const settings = { continuationToken: options.pageToken, maxPageSize };
    try {
      if (options.delimiter) {
        const pages = container.listBlobsByHierarchy(options.delimiter, { prefix, abortSignal: options.signal }).byPage(settings);
        const page = (await pages.next()).value as ListBlobsHierarchySegmentResponse | undefined;
        return {
          objects: (page?.segment.blobItems ?? []).map((b) => this.listed(b)),
          prefixes: (page?.segment.blobPrefixes ?? []).map((p) => p.name),
          ...(page?.continuationToken ? { nextPageToken: page.continuationToken } : {}),
        };
      }
      const pages = container.listBlobsFlat({ prefix, abortSignal: options.signal }).byPage(settings);
      const page = (await pages.next()).value as ListBlobsFlatSegmentResponse | undefined;
      return {
        objects: (page?.segment.blobItems ?? []).map((b) => this.listed(b)),
        prefixes: [],
        ...(page?.continuationToken ? { nextPageToken: page.continuationToken } : {}),
      };
    } catch (e) {
      throw this.error(e, prefix, 'List Blobs', { signal: options.signal });
    }
  }

  /** Blob Batch: up to 256 deletes per request. A missing blob counts as deleted. */
  async deleteMany(keys: string[], options: { signal?: AbortSignal } = {}): Promise<DeleteManyResult> {
    const container = await this.client();
    const result: DeleteManyResult = { deleted: [], errors: [] };
    for (let i = 0; i < keys.length; i += MAX_BATCH) {
      const batch = keys.slice(i, i + MAX_BATCH);
      let response;
      try {
        response = await container.getBlobBatchClient().deleteBlobs(
          batch.map((k) => container.getBlobClient(k)),
          { deleteSnapshots: 'include', abortSignal: options.signal },
        );
      } catch (e) {
        throw this.error(e, batch[0]!, 'Blob Batch (Delete Blob)', { signal: options.signal });
      }
      batch.forEach((key, n) => {
        const sub = response.subResponses[n];
        if (sub && (sub.status < 300 || sub.status === 404)) {
          result.deleted.push(key);
        } else {
          const fault = sub ? Object.assign(new Error(sub.errorCode ?? sub.statusMessage), { statusCode: sub.status, code: sub.errorCode }) : new Error('no answer for this blob in the batch response');
          result.errors.push({ key, error: this.error(fault, key, 'Delete Blob (in a batch)', { signal: options.signal }) });
        }
      });
    }
    return result;
  }

  async copy(sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    return this.copyBlob(await this.blob(sourceKey), targetKey, options);
  }

  async copyFrom(source: Backend, sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    if (!(source instanceof AzureBlobBackend)) {
      throw new UnsupportedError(`Cannot copy server-side from ${source.urlFor(sourceKey)} to ${this.urlFor(targetKey)}: the source is not an azureblob:// store`);
    }
    return this.copyBlob(await source.blob(sourceKey), targetKey, options);
  }

  /** Copy Blob from a blob of the same account; waits (polling) while the service reports the copy pending. */
  private async copyBlob(source: BlobClient, targetKey: string, options: CopyOptions): Promise<ObjectInfo> {
    const target = await this.blob(targetKey);
    try {
      const poller = await this.creatingContainer(() =>
        target.beginCopyFromURL(source.url, {
          abortSignal: options.signal,
          intervalInMs: 250,
          ...(options.ifNoneMatch ? { conditions: { ifNoneMatch: '*' } } : {}),
        }),
      );
      await poller.pollUntilDone();
      const p = await target.getProperties({ abortSignal: options.signal });
      if (p.copyStatus !== undefined && p.copyStatus !== 'success') {
        throw new Error(`the service reports the copy as ${p.copyStatus}${p.copyStatusDescription ? ` (${p.copyStatusDescription})` : ''}`);
      }
      return toInfo(targetKey, p.contentLength ?? 0, p.etag, p.lastModified, p.contentMD5, p.contentType);
    } catch (e) {
      throw this.error(e, targetKey, 'Copy Blob', { signal: options.signal, ifNoneMatch: options.ifNoneMatch === '*' });
    }
  }

  /**
   * Runs a request that creates a blob; if the container is missing, creates it (private, as kops does)
   * and runs the request once more. This is no retry of a failure: the first attempt changed nothing.
   */
  private async creatingContainer<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (e) {
      if (azureErrorCode(e) !== 'ContainerNotFound') throw e;
      await (await this.client()).createIfNotExists();
      return request();
    }
  }

  private listed(b: BlobItem): ObjectInfo {
    const p = b.properties;
    return toInfo(b.name, p.contentLength ?? 0, p.etag, p.lastModified, p.contentMD5, p.contentType);
  }

  private client(): Promise<ContainerClient> {
    return this.containerClient();
  }

  private async blob(key: string): Promise<BlobClient> {
    return (await this.client()).getBlobClient(key);
  }

  private error(e: unknown, key: string, action: string, extra: Partial<ErrorContext> = {}): Error {
    return mapAzureError(e, {
      url: this.urlFor(key),
      account: this.settings.account,
      container: this.container,
      action,
      credentialSource: this.settings.credential.source,
      ...extra,
    });
  }
}

function toInfo(key: string, size: number, etag: string | undefined, modified: Date | undefined, md5: Uint8Array | undefined, contentType: string | undefined): ObjectInfo {
  return {
    key,
    size,
    version: etag ?? '',
    ...(modified ? { modified } : {}),
    ...(md5 && md5.byteLength === 16 ? { hashes: { md5: Buffer.from(md5).toString('hex') } } : {}),
    ...(contentType ? { contentType } : {}),
  };
}

/** Azure metadata names are C# identifiers: core's `-` is kept as `_` (core's names never hold `_`). */
function toAzureMetadata(metadata: Record<string, string>): Record<string, string> {
  checkWriteMetadata(metadata);
  return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.replace(/-/g, '_'), value]));
}

function withMetadata(info: ObjectInfo, metadata: Record<string, string> | undefined): ObjectInfo {
  if (!metadata || Object.keys(metadata).length === 0) return info;
  return { ...info, metadata: Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.toLowerCase().replace(/_/g, '-'), value])) };
}

