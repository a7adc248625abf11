/**
 * The in-memory state of the server: buckets, their objects and their multipart uploads.
 *
 * Per-key serialisation: every object is created or replaced by `Bucket.commit`, which runs synchronously —
 * the existence check for `x-oss-forbid-overwrite` and the store happen in one turn of the event loop, after
 * the whole body has arrived. Concurrent writers to one key are therefore serialised, and among concurrent
 * forbid-overwrite creators exactly one wins, as on the real service.
 *
 * Versioning (PutBucketVersioning): objects written to an Enabled bucket get a version id (`null` when
 * Suspended), and — as the reference says — `x-oss-forbid-overwrite` does not take effect once versioning has
 * been enabled or suspended. This server keeps only the current version of each object (it implements no
 * ListObjectVersions).
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

  /** Creates or replaces `key`; with `forbidOverwrite` an existing key is a 409 FileAlreadyExists (unversioned buckets only). */
  commit(key: string, object: StoredObject, forbidOverwrite: boolean): StoredObject {
    const existing = this.objects.get(key);
    if (forbidOverwrite && existing && this.versioning === undefined) throw errors.fileAlreadyExists(key);
    if (this.versioning === 'Enabled') object.versionId = randomBytes(16).toString('base64url');
    else if (this.versioning === 'Suspended') object.versionId = 'null';
    if (!existing) this.sorted = undefined;
    this.objects.set(key, object);
    return object;
  }

  remove(key: string): void {
    if (this.objects.delete(key)) this.sorted = undefined;
  }

  object(key: string): StoredObject {
    const object = this.objects.get(key);
    if (!object) throw errors.noSuchKey(key);
    return object;
  }
}

export class Store {
  readonly buckets = new Map<string, Bucket>();

  bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw errors.noSuchBucket(name);
    return bucket;
  }
}
