/**
 * The swift:// driver: one container of one account. Objects are PUT whole up to one segment and as static
 * large objects above; there is neither compare-and-swap nor atomic create (see CAPABILITIES), so core
 * checks, then writes, for createFile and refuses conditional writes; listings page with `marker`; batch
 * deletes use bulk delete where the cluster's /info offers it (settled before the first batch). A write
 * into a missing container creates it (private), as kops's CreateFile did.
 */
import { createHash } from 'node:crypto';
import {
  NotFoundError,
  TransientError,
  UnsupportedError,
  formatObjectUrl,
  isNotFound,
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
import { emptyBody, freezeCapabilities, metadataHeaders, responseBody } from '@statestore/core/driver-kit';
import { bulkDeleteLimit, deleteObjects } from './bulk-delete.js';
import { swiftError, unreachable } from './errors.js';
import { readAnswer, type Answer, type RequestBody } from './http.js';
import { LargeObjects } from './large-object.js';
import { infoFromHeaders, infoFromListing, METADATA_PREFIX, SHA256_HEADER, type ListingEntry } from './object-info.js';
import { SegmentReader } from './segment-reader.js';
import type { SwiftClient } from './swift-client.js';

/** Bodies above this many bytes become static large objects (and this much is held in memory per write). */
export const DEFAULT_SEGMENT_SIZE = 32 * 1024 * 1024;
/** Swift's container_listing_limit default, and the largest page asked for. */
const MAX_PAGE = 10_000;
/** Swift's max_object_name_length default. */
const MAX_KEY_BYTES = 1024;

/**
 * What this driver declares. atomicCreate is false because of a measurement against Swift 2.30.1 (see the
 * note and test/create-race.test.ts, which fails if the measurement and this declaration ever disagree).
 */
export const CAPABILITIES: Readonly<Capabilities> = capabilitiesWith(undefined);

/** The capabilities, with the cluster's bulk-delete limit once /info has said it (none: one DELETE per key). */
function capabilitiesWith(maxDeleteBatch: number | undefined): Readonly<Capabilities> {
  return freezeCapabilities({
  atomicCreate: false,
  compareAndSwap: false,
  conditionalDelete: false,
  versions: false,
  writeMetadata: true,
  acl: false,
  serverSideCopy: true,
  streaming: true,
  rangeReads: true,
  contentType: true,
  fileAndPrefix: true,
  hashes: ['md5', 'sha256'],
  maxPageSize: MAX_PAGE,
  maxKeyBytes: MAX_KEY_BYTES,
  ...(maxDeleteBatch !== undefined ? { maxDeleteBatch } : {}),
  notes: [
    'createFile sends If-None-Match: *. Swift refuses it (412) when the object already exists, but concurrent creators of one new key race: measured against Swift 2.30.1, 16 concurrent creators got between 1 and 16 successes (exactly one in 1 of 20 rounds) and the newest write is kept. So creation is not atomic, and concurrent createFile can overwrite.',
    'No compare-and-swap (Swift ignores If-Match on PUT) and creation is not atomic, so leases (updateFile\'s lock, cluster leases) use core\'s candidate protocol: unique names, a listing and a settle delay (ResolveOptions.leaseSettleMs, default 100 ms), safe while container listings show a new object within that delay.',
    'Objects larger than one segment (32 MiB unless opened with segmentSize) are static large objects with segments in <container>_segments.',
    'Write metadata is object metadata (X-Object-Meta-*).',
  ],
  });
}

export interface SwiftBackendOptions {
  container: string;
  client: SwiftClient;
  /** Identifies the account and credentials: backends with the same id can copy between their containers. */
  serviceId: string;
  segmentSize?: number;
  /** One-time notices (e.g. segments that could not be cleaned up). */
  warn?: (message: string) => void;
}

export class SwiftBackend implements Backend {
  capabilities = CAPABILITIES;
  readonly serviceId: string;
  readonly container: string;
  private readonly client: SwiftClient;
  private readonly segmentSize: number;
  private readonly large: LargeObjects;
  private readonly warn: (message: string) => void;

  constructor(options: SwiftBackendOptions) {
    this.container = options.container;
    this.client = options.client;
    this.serviceId = options.serviceId;
    this.segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    this.warn = options.warn ?? (() => undefined);
    this.large = new LargeObjects(this.client, this.container, (k) => this.urlFor(k));
  }

  /** Reads the cluster's /info once (no probe, no write): whether bulk delete is there, and its limit. */
  async settleCapabilities(): Promise<Readonly<Capabilities>> {
    const limit = await bulkDeleteLimit(this.client);
    if (this.capabilities === CAPABILITIES) this.capabilities = capabilitiesWith(limit);
    return this.capabilities;
  }

  urlFor(key: string): string {
    return formatObjectUrl('swift', this.container, key);
  }

  async stat(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const res = await this.client.request({ container: this.container, key }, { method: 'HEAD', ...signalOf(options) }, 'stat');
    if (res.status === 404) return undefined;
    if (!res.ok) throw swiftError({ url: this.urlFor(key), action: 'stat', status: res.status });
    return infoFromHeaders(key, res.headers);
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const range: Record<string, string> = options.range ? { range: `bytes=${options.range.start}-${options.range.end ?? ''}` } : {};
    const res = await this.client.stream({ container: this.container, key }, { method: 'GET', headers: range, ...signalOf(options) }, 'read');
    if (res.status === 200 || res.status === 206) {
      const url = this.urlFor(key);
      return { info: infoFromHeaders(key, res.headers), body: responseBody(res.body ?? emptyBody(), { signal: options.signal, mapError: (e) => unreachable(e, url, 'finish reading') }) };
    }
    const { text } = await readAnswer(res, res.url, 'read');
    if (res.status === 404) throw await this.notFound(key, options.signal);
    if (res.status === 416) {
      // A range that starts at or past the end: nothing to read.
      const info = await this.stat(key, options);
      if (!info) throw await this.notFound(key, options.signal);
      return { info, body: emptyBody() };
    }
    throw swiftError({ url: this.urlFor(key), action: 'read', status: res.status, body: text });
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const reader = new SegmentReader(body, this.segmentSize);
    const first = await reader.next();
    if (!first.last) {
      const info = await this.large.write(key, first, reader, options, (k, b, h, q, o) => this.put(k, b, h, q, o));
      await this.removeUnusedSegments([key], true, options.signal);
      return { ...info, ...(options.contentType ? { contentType: options.contentType } : {}) };
    }
    const md5 = createHash('md5').update(first.bytes).digest('hex');
    const sha256 = options.sha256 ?? createHash('sha256').update(first.bytes).digest('hex');
    const res = await this.put(key, first.bytes, { ...metadataHeaders(options.metadata, METADATA_PREFIX), etag: md5, [SHA256_HEADER]: sha256, ...(options.contentType ? { 'content-type': options.contentType } : {}) }, {}, options);
    const { contentType: _ignored, ...info } = infoFromHeaders(key, res.headers, { size: first.bytes.byteLength, large: false });
    return { ...info, hashes: { md5, sha256 }, ...(options.contentType ? { contentType: options.contentType } : {}), ...(options.metadata ? { metadata: { ...options.metadata } } : {}) };
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const res = await this.client.request({ container: this.container, key }, { method: 'DELETE', ...signalOf(options) }, 'delete');
    if (!res.ok && res.status !== 404) throw swiftError({ url: this.urlFor(key), action: 'delete', status: res.status, body: res.text });
    const [failure] = await this.large.removeUnused([key], false, options.signal);
    if (failure) throw failure.error;
  }

  /** Bulk delete where settled capabilities say the cluster has it for this many keys; one DELETE each otherwise. */
  async deleteMany(keys: string[], options: { signal?: AbortSignal } = {}): Promise<DeleteManyResult> {
    const limit = this.capabilities.maxDeleteBatch;
    const result = await deleteObjects(this.client, this.container, keys, (k) => this.urlFor(k), limit !== undefined && keys.length <= limit, options.signal);
    const segmentErrors = await this.large.removeUnused(result.deleted, false, options.signal);
    if (segmentErrors.length === 0) return result;
    const failed = new Set(segmentErrors.map((e) => e.key));
    return { deleted: result.deleted.filter((k) => !failed.has(k)), errors: [...result.errors, ...segmentErrors] };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const limit = Math.max(1, Math.min(options.pageSize ?? MAX_PAGE, MAX_PAGE));
    const query: Record<string, string> = { format: 'json', prefix, limit: String(limit) };
    if (options.delimiter) query.delimiter = options.delimiter;
    if (options.pageToken) query.marker = options.pageToken;
    const res = await this.client.request(
      { container: this.container, query },
      { method: 'GET', headers: { accept: 'application/json' }, ...signalOf(options) },
      'list',
    );
    const { text } = res;
    if (res.status === 404) throw this.noContainer(prefix);
    if (!res.ok) throw swiftError({ url: this.urlFor(prefix), action: 'list', status: res.status, body: text });
    const entries = (res.status === 204 || text === '' ? [] : JSON.parse(text)) as ListingEntry[];
    const page: ListPage = { objects: [], prefixes: [] };
    for (const e of entries) {
      if (e.subdir !== undefined) page.prefixes.push(e.subdir);
      else if (e.name !== undefined) page.objects.push(infoFromListing({ ...e, name: e.name }));
    }
    const last = entries[entries.length - 1];
    // The marker is the last name or subdir returned; Swift skips a subdir given as the marker.
    if (entries.length >= limit && last) page.nextPageToken = last.subdir ?? last.name;
    return page;
  }

  async copy(sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    return this.copyInto(this.container, sourceKey, targetKey, options);
  }

  async copyFrom(source: Backend, sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    if (!(source instanceof SwiftBackend) || source.serviceId !== this.serviceId) {
      throw new UnsupportedError(`Cannot copy server-side into ${this.urlFor(targetKey)} from ${source.urlFor(sourceKey)}: not the same Swift account`);
    }
    return this.copyInto(source.container, sourceKey, targetKey, options);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** PUT at a key; a missing container is created (once) and the PUT sent again. */
  private async put(key: string, body: RequestBody, headers: Record<string, string>, query: Record<string, string>, options: WriteOptions): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.client.request({ container: this.container, key, query }, { method: 'PUT', headers, body, ...signalOf(options) }, 'write');
      if (res.ok) return res;
      if (res.status === 404 && attempt === 1) {
        await this.createContainer(options.signal);
        continue;
      }
      throw swiftError({ url: this.urlFor(key), action: 'write', status: res.status, body: res.text });
    }
  }

  private async copyInto(sourceContainer: string, sourceKey: string, targetKey: string, options: CopyOptions): Promise<ObjectInfo> {
    const from = `/${encodeURIComponent(sourceContainer)}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`;
    const sourceUrl = formatObjectUrl('swift', sourceContainer, sourceKey);
    try {
      await this.put(targetKey, '', { 'x-copy-from': from }, {}, signalOf(options));
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(`File not found: ${sourceUrl}; nothing to copy`, { url: sourceUrl });
      throw e;
    }
    const info = await this.stat(targetKey, options);
    if (!info) throw new TransientError(`${this.urlFor(targetKey)} is missing right after copying ${sourceUrl} to it; try again`, { url: this.urlFor(targetKey) });
    return info;
  }

  private async createContainer(signal?: AbortSignal): Promise<void> {
    const res = await this.client.request({ container: this.container }, { method: 'PUT', ...(signal ? { signal } : {}) }, 'create');
    if (!res.ok) throw swiftError({ url: this.urlFor(''), action: `create the container ${this.container} for`, status: res.status, body: res.text });
  }

  /** Segments left by an overwritten large object are garbage; failing to remove them must not fail the write. */
  private async removeUnusedSegments(keys: string[], keep: boolean, signal?: AbortSignal): Promise<void> {
    try {
      const errors = await this.large.removeUnused(keys, keep, signal);
      for (const e of errors) this.warn(`Could not remove unused segments of ${this.urlFor(e.key)} from ${this.large.segmentContainer}: ${e.error.message}`);
    } catch (e) {
      this.warn(`Could not remove unused segments of ${keys.map((k) => this.urlFor(k)).join(', ')}: ${(e as Error).message}`);
    }
  }

  /** NotFound for a key, naming the container when it is the container that is missing. */
  private async notFound(key: string, signal?: AbortSignal): Promise<NotFoundError> {
    const res = await this.client.request({ container: this.container }, { method: 'HEAD', ...(signal ? { signal } : {}) }, 'stat');
    if (res.status === 404) return this.noContainer(key);
    return new NotFoundError(`File not found: ${this.urlFor(key)}`, { url: this.urlFor(key) });
  }

  private noContainer(key: string): NotFoundError {
    return new NotFoundError(
      `Container ${this.container} does not exist (for ${this.urlFor(key)}); check the name and OS_REGION_NAME, or create it by writing a file into it`,
      { url: this.urlFor(key) },
    );
  }
}

function signalOf(options: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}
