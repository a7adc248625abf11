/**
 * Static large objects: a body larger than one segment is uploaded as segments into `<container>_segments`
 * (python-swiftclient's convention, so `swift delete` removes them too), named `<key>/slo/<time>/<id>/<index>`,
 * then a manifest is PUT at the key with `?multipart-manifest=put`. Reading the key returns the whole object.
 * Memory stays at one segment. Segments whose object was deleted or overwritten are removed afterwards
 * (by name, so this also catches ones a crashed writer left), never those the current manifest uses.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ObjectInfo, WriteOptions } from '@statestore/core';
import { UnsupportedError } from '@statestore/core';
import { metadataHeaders, once } from '@statestore/core/driver-kit';
import type { Answer } from './http.js';
import { bulkDeleteLimit, deleteObjects } from './bulk-delete.js';
import { swiftError } from './errors.js';
import { infoFromHeaders, METADATA_PREFIX, SHA256_HEADER, type ListingEntry } from './object-info.js';
import type { SegmentReader, Segment } from './segment-reader.js';
import type { SwiftClient } from './swift-client.js';

/** Writes a manifest (or any body) at a key: the backend's PUT, which creates the container when missing. */
export type PutObject = (key: string, body: string, headers: Record<string, string>, query: Record<string, string>, options: WriteOptions) => Promise<Answer>;

export class LargeObjects {
  /** The container the segments go to. */
  readonly segmentContainer: string;
  private readonly segmentsExist = once<boolean>();

  constructor(
    private readonly client: SwiftClient,
    private readonly container: string,
    private readonly urlFor: (key: string) => string,
  ) {
    this.segmentContainer = `${container}_segments`;
  }

  /** Uploads `first` and the rest of `reader` as segments, then the manifest at `key`. */
  async write(key: string, first: Segment, reader: SegmentReader, options: WriteOptions, put: PutObject): Promise<ObjectInfo> {
    const signal = options.signal ? { signal: options.signal } : {};
    const maxSegments = (await this.client.capabilities()).slo?.max_manifest_segments ?? 1_000;
    await this.createContainer(options.signal);
    const prefix = `${key}/slo/${timestamp()}/${randomBytes(4).toString('hex')}/`;
    const uploaded: string[] = [];
    const manifest: { path: string; etag: string; size_bytes: number }[] = [];
    const sha256 = createHash('sha256');
    let size = 0;
    try {
      for (let index = 0, segment = first; ; index++, segment = await reader.next()) {
        if (index >= maxSegments) {
          throw new UnsupportedError(
            `${this.urlFor(key)} needs more than ${maxSegments} segments of ${first.bytes.byteLength} bytes (Swift's max_manifest_segments); open the store with a larger segmentSize`,
            { url: this.urlFor(key) },
          );
        }
        const name = `${prefix}${String(index).padStart(8, '0')}`;
        const md5 = createHash('md5').update(segment.bytes).digest('hex');
        uploaded.push(name);
        const res = await this.client.request(
          { container: this.segmentContainer, key: name },
          { method: 'PUT', headers: { etag: md5, 'content-type': 'application/octet-stream' }, body: segment.bytes, ...signal },
          'write a segment of',
        );
        if (!res.ok) throw swiftError({ url: this.urlFor(key), action: `write segment ${index} of`, status: res.status, body: res.text });
        manifest.push({ path: `/${this.segmentContainer}/${name}`, etag: md5, size_bytes: segment.bytes.byteLength });
        sha256.update(segment.bytes);
        size += segment.bytes.byteLength;
        if (segment.last) break;
      }
      const digest = sha256.digest('hex');
      const res = await put(
        key,
        JSON.stringify(manifest),
        { ...metadataHeaders(options.metadata, METADATA_PREFIX), [SHA256_HEADER]: digest, ...(options.contentType ? { 'content-type': options.contentType } : {}) },
        { 'multipart-manifest': 'put' },
        options,
      );
      const info = infoFromHeaders(key, res.headers, { size, large: true });
      return { ...info, hashes: { sha256: digest }, ...(options.metadata ? { metadata: { ...options.metadata } } : {}) };
    } catch (e) {
      await this.deleteSegments(uploaded).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Removes the segments named after `keys` that the keys' current manifests do not use (all of them when
   * `keep` is false: the keys were deleted). Returns per-key errors. Nothing to do, and no request beyond
   * one HEAD per backend, when the segments container does not exist.
   */
  async removeUnused(keys: readonly string[], keep: boolean, signal?: AbortSignal): Promise<{ key: string; error: Error }[]> {
    if (keys.length === 0 || !(await this.hasSegments(signal))) return [];
    const owners = new Set(keys);
    const orphans = new Map<string, string[]>();
    for (const name of await this.listNames(commonPrefix(keys), signal)) {
      const owner = ownerOf(name);
      if (owner !== undefined && owners.has(owner)) orphans.set(owner, [...(orphans.get(owner) ?? []), name]);
    }
    if (orphans.size === 0) return [];
    if (keep) {
      for (const [owner, names] of orphans) {
        const used = await this.segmentsUsedBy(owner, signal);
        orphans.set(owner, names.filter((n) => !used.has(n)));
      }
    }
    const names = [...orphans.values()].flat();
    const result = await this.deleteSegments(names, signal);
    return result.errors.map((e) => ({ key: ownerOf(e.key) ?? e.key, error: e.error }));
  }

  /** Whether `<container>_segments` exists; asked once per backend (and known after a large write). */
  hasSegments(signal?: AbortSignal): Promise<boolean> {
    return this.segmentsExist(async () => {
      const res = await this.client.request({ container: this.segmentContainer }, { method: 'HEAD', ...(signal ? { signal } : {}) }, 'look for');
      if (res.status === 404) return false;
      if (!res.ok) throw swiftError({ url: this.urlFor(''), action: `look for the segments container ${this.segmentContainer} of`, status: res.status });
      return true;
    });
  }

  /** Deletes segments: in one bulk request where the cluster takes that many, else one by one. */
  private async deleteSegments(names: readonly string[], signal?: AbortSignal) {
    const limit = await bulkDeleteLimit(this.client).catch(() => undefined);
    return deleteObjects(this.client, this.segmentContainer, names, (k) => this.urlFor(k), limit !== undefined && names.length <= limit, signal);
  }

  private async createContainer(signal?: AbortSignal): Promise<void> {
    const res = await this.client.request({ container: this.segmentContainer }, { method: 'PUT', ...(signal ? { signal } : {}) }, 'create');
    if (!res.ok) throw swiftError({ url: `swift://${this.segmentContainer}/`, action: 'create the segments container', status: res.status, body: res.text });
    this.segmentsExist.reset();
    await this.segmentsExist(async () => true);
  }

  private async listNames(prefix: string, signal?: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    let marker = '';
    for (;;) {
      const res = await this.client.request(
        { container: this.segmentContainer, query: { format: 'json', prefix, marker, limit: '10000' } },
        { method: 'GET', headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) },
        'list segments of',
      );
      if (res.status === 404) return names;
      if (!res.ok) throw swiftError({ url: this.urlFor(prefix), action: 'list the segments of', status: res.status, body: res.text });
      const page = (res.text ? JSON.parse(res.text) : []) as ListingEntry[];
      for (const e of page) if (e.name) names.push(e.name);
      if (page.length < 10_000) return names;
      marker = page[page.length - 1]!.name ?? '';
    }
  }

  /** Segment names the current manifest at `key` refers to (none when it is not a large object). */
  private async segmentsUsedBy(key: string, signal?: AbortSignal): Promise<Set<string>> {
    const target = { container: this.container, key, query: { 'multipart-manifest': 'get' } };
    const options = signal ? { signal } : {};
    // HEAD first: a GET of a plain object would download it.
    const head = await this.client.request(target, { method: 'HEAD', ...options }, 'stat');
    if (head.status === 404) return new Set();
    if (!head.ok) throw swiftError({ url: this.urlFor(key), action: 'stat', status: head.status });
    if (head.headers.get('x-static-large-object')?.toLowerCase() !== 'true') return new Set();
    const res = await this.client.request(target, { method: 'GET', ...options }, 'read the manifest of');
    if (res.status === 404) return new Set();
    if (!res.ok) throw swiftError({ url: this.urlFor(key), action: 'read the manifest of', status: res.status, body: res.text });
    const entries = JSON.parse(res.text) as { name?: string }[];
    const prefix = `/${this.segmentContainer}/`;
    return new Set(entries.map((e) => e.name ?? '').filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)));
  }
}

/** The key a segment belongs to: its name without the trailing `slo/<time>/<id>/<index>`. */
export function ownerOf(segmentName: string): string | undefined {
  const parts = segmentName.split('/');
  if (parts.length < 5 || parts[parts.length - 4] !== 'slo') return undefined;
  return parts.slice(0, -4).join('/');
}

function commonPrefix(keys: readonly string[]): string {
  let prefix = keys[0]!;
  for (const k of keys) {
    let i = 0;
    while (i < prefix.length && i < k.length && prefix[i] === k[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

function timestamp(): string {
  return (Date.now() / 1000).toFixed(6);
}
