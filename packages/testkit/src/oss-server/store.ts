/**
 * The in-memory state of the server: buckets, their objects and their multipart uploads.
 *
 * Per-key serialisation: every object is created or replaced by `Bucket.commit`, which runs synchronously —
 * the existence check for `x-oss-forbid-overwrite` and the store happen in one turn of the event loop, after
 * the whole body has arrived. Concurrent writers to one key are therefore serialised, and among concurrent
 * forbid-overwrite creators exactly one wins, as on the real service.
 *
 * Versioning (PutBucketVersioning; the reference's "Versioning" and "Delete marker" pages): once versioning has
 * been set, every key keeps its versions, newest first. On an Enabled bucket a write adds a version with a new
 * id and a DeleteObject without a version id adds a delete marker (a version with no data) as the current
 * version; on a Suspended bucket both replace the version whose id is `null`. An object written before
 * versioning was set is the `null` version. DeleteObject with a version id removes that version for good, and
 * the next one becomes current. `objects` holds each key's current version while it is not a delete marker,
 * so reads and ListObjectsV2 see what the service shows. As the reference says, `x-oss-forbid-overwrite` does
 * not take effect once versioning has been enabled or suspended.
 */
import { randomBytes } from 'node:crypto';
import { errors } from './errors.js';

export type ObjectType = 'Normal' | 'Multipart';
export type VersioningStatus = 'Enabled' | 'Suspended';

export interface StoredObject {
  data: Buffer;
  /** As sent in the ETag header, with quotes: `"<MD5 HEX>"` for PutObject, `"<HEX>-<parts>"` for multipart. */
  etag: string;
  lastModified: Date;
  contentType: string;
  /** User metadata, names lowercased without the `x-oss-meta-` prefix. */
  meta: Record<string, string>;
  /** Object ACL: `default` (inherit the bucket's), `private`, `public-read`, `public-read-write`. */
  acl: string;
  type: ObjectType;
  /** Base64 MD5 of the content, for objects written in one request. */
  contentMd5?: string;
  versionId?: string;
  /** The standard HTTP headers OSS keeps with an object (Cache-Control, Content-Disposition, Content-Encoding, Expires). */
  httpHeaders: Record<string, string>;
}

/** A version with no data, made by a DeleteObject without a version id on a versioned bucket. */
export interface DeleteMarker {
  deleteMarker: true;
  versionId: string;
  lastModified: Date;
}

/** One version of a key: an object, or a delete marker. */
export type VersionEntry = StoredObject | DeleteMarker;

export function isDeleteMarker(entry: VersionEntry): entry is DeleteMarker {
  return 'deleteMarker' in entry;
}

/** A version's id as the service reports it: objects from before versioning are the `null` version. */
export function versionIdOf(entry: VersionEntry): string {
  return entry.versionId ?? 'null';
}

export interface UploadedPart {
  data: Buffer;
  etag: string;
}

export interface MultipartUpload {
  uploadId: string;
  key: string;
  initiated: Date;
  template: Omit<StoredObject, 'data' | 'etag' | 'lastModified' | 'type' | 'contentMd5' | 'versionId'>;
  parts: Map<number, UploadedPart>;
}

export class Bucket {
  readonly objects = new Map<string, StoredObject>();
  readonly uploads = new Map<string, MultipartUpload>();
  /** Every version of each key, newest first; only keys written or deleted since versioning was set. */
  readonly versions = new Map<string, VersionEntry[]>();
  versioning: VersioningStatus | undefined;
  private sorted: string[] | undefined;

  constructor(
    readonly name: string,
    readonly created: Date,
    public acl: string,
  ) {}

  /** Keys in the service's order: lexicographic by UTF-8 bytes. */
  sortedKeys(): string[] {
    this.sorted ??= [...this.objects.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return this.sorted;
  }

  /** Keys with at least one version (delete markers included), in the service's order. */
  versionedKeys(): string[] {
    return [...new Set([...this.objects.keys(), ...this.versions.keys()])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  /** The versions of `key`, newest first: kept ones, else the current object (the `null` version), else none. */
  versionsOf(key: string): readonly VersionEntry[] {
    const kept = this.versions.get(key);
    if (kept) return kept;
    const current = this.objects.get(key);
    return current ? [current] : [];
  }

  /** Creates or replaces `key`; with `forbidOverwrite` an existing key is a 409 FileAlreadyExists (unversioned buckets only). */
  commit(key: string, object: StoredObject, forbidOverwrite: boolean): StoredObject {
    const existing = this.objects.get(key);
    if (this.versioning === undefined) {
      if (forbidOverwrite && existing) throw errors.fileAlreadyExists(key);
      delete object.versionId;
      if (!existing) this.sorted = undefined;
      this.objects.set(key, object);
      return object;
    }
    object.versionId = this.newVersionId();
    this.record(key, object);
    return object;
  }

  /** DeleteObject without a version id: the object goes; on a versioned bucket a delete marker is added (and returned). */
  remove(key: string): DeleteMarker | undefined {
    if (this.versioning === undefined) {
      if (this.objects.delete(key)) this.sorted = undefined;
      return undefined;
    }
    const marker: DeleteMarker = { deleteMarker: true, versionId: this.newVersionId(), lastModified: new Date() };
    this.record(key, marker);
    return marker;
  }

  /** DeleteObject with a version id: that version goes for good (undefined when there is none); the next one becomes current. */
  removeVersion(key: string, versionId: string): VersionEntry | undefined {
    const rest = [...this.versionsOf(key)];
    const i = rest.findIndex((e) => versionIdOf(e) === versionId);
    if (i === -1) return undefined;
    const [removed] = rest.splice(i, 1);
    if (rest.length > 0) this.versions.set(key, rest);
    else this.versions.delete(key);
    this.setCurrent(key, rest[0]);
    return removed;
  }

  /** The current object; 404 NoSuchKey when there is none, with the delete marker's headers when that is the current version. */
  object(key: string): StoredObject {
    const object = this.objects.get(key);
    if (object) return object;
    const latest = this.versions.get(key)?.[0];
    throw latest ? errors.noSuchKey(key, markerHeaders(latest)) : errors.noSuchKey(key);
  }

  /** One version, object or delete marker; 404 NoSuchVersion when the key has no such version. */
  entry(key: string, versionId: string): VersionEntry {
    const entry = this.versionsOf(key).find((e) => versionIdOf(e) === versionId);
    if (!entry) throw errors.noSuchVersion(key, versionId);
    return entry;
  }

  /** One version with data; a delete marker is 404 with the marker's headers. */
  version(key: string, versionId: string): StoredObject {
    const entry = this.entry(key, versionId);
    if (isDeleteMarker(entry)) throw errors.noSuchKey(key, markerHeaders(entry));
    return entry;
  }

  private newVersionId(): string {
    return this.versioning === 'Enabled' ? randomBytes(16).toString('base64url') : 'null';
  }

  /** Adds `entry` as the newest version; a `null` one replaces the `null` version there was. */
  private record(key: string, entry: VersionEntry): void {
    const older = this.versionsOf(key).filter((e) => entry.versionId !== 'null' || versionIdOf(e) !== 'null');
    this.versions.set(key, [entry, ...older]);
    this.setCurrent(key, entry);
  }

  private setCurrent(key: string, latest: VersionEntry | undefined): void {
    const had = this.objects.has(key);
    if (latest && !isDeleteMarker(latest)) this.objects.set(key, latest);
    else this.objects.delete(key);
    if (had !== this.objects.has(key)) this.sorted = undefined;
  }
}

/** The headers a GetObject/HeadObject answer carries when it hits a delete marker. */
function markerHeaders(entry: VersionEntry): Record<string, string> {
  return isDeleteMarker(entry) ? { 'x-oss-delete-marker': 'true', 'x-oss-version-id': entry.versionId } : {};
}

export class Store {
  readonly buckets = new Map<string, Bucket>();

  bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw errors.noSuchBucket(name);
    return bucket;
  }
}
