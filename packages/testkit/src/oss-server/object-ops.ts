/**
 * Object operations: PutObject, GetObject, HeadObject, DeleteObject, CopyObject, GetObjectACL. Facts relied on
 * (OSS API reference pages of those operations and their troubleshooting pages):
 * - PutObject: the ETag is the MD5 of the content (hex, uppercase, quoted); the response carries ETag and Content-MD5;
 *   OSS keeps Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Expires and `x-oss-meta-*`.
 *   PutObject honours no conditional header: If-Match, If-None-Match, If-Modified-Since or If-Unmodified-Since
 *   is 400 NotImplemented naming the header (EC 0017-00000245). `x-oss-forbid-overwrite: true` on an existing
 *   object is 409 FileAlreadyExists.
 * - GetObject/HeadObject: If-Match and If-Unmodified-Since that fail → 412 PreconditionFailed; If-None-Match and
 *   If-Modified-Since that fail → 304. A valid `Range: bytes=` → 206 with Content-Range `bytes a-b/size`; an
 *   invalid one → the whole object with 200 and no Content-Range. Missing → 404 NoSuchKey.
 * - GetObject/HeadObject with `versionId` read that version: 404 NoSuchVersion when the key has none with that id.
 *   A delete marker has no data: reading it (as the current version or by its id) is 404 with
 *   `x-oss-delete-marker: true` and its `x-oss-version-id`.
 * - DeleteObject: 204, also when the object does not exist. On a versioned bucket it adds a delete marker and
 *   answers `x-oss-delete-marker: true` with the marker's `x-oss-version-id`; with `versionId` it removes that
 *   version for good and answers its id (and `x-oss-delete-marker: true` when it was a marker).
 * - CopyObject: `x-oss-copy-source: /bucket/<url-encoded key>`; `x-oss-copy-source-if-match` / `-if-none-match` /
 *   `-if-unmodified-since` / `-if-modified-since` on the source (412 / 304); `?versionId=` on the source copies
 *   that version (a delete marker is 400 InvalidArgument, EC 0016-00000307); `x-oss-metadata-directive` COPY
 *   (default) or REPLACE; `x-oss-forbid-overwrite` on the target; the response body is
 *   `<CopyObjectResult><ETag/><LastModified/></CopyObjectResult>`.
 */
import { OssError, errors } from './errors.js';
import {
  type OssRequest,
  type OssResponse,
  bucketOf,
  checkContentMd5,
  contentType,
  etagMatches,
  forbidOverwrite,
  httpHeaders,
  isoDate,
  md5,
  objectAcl,
  userMeta,
  xmlResponse,
} from './request.js';
import { type Bucket, type StoredObject, isDeleteMarker } from './store.js';

const PUT_CONDITIONS = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'];

export function putObject(req: OssRequest): OssResponse {
  const refused = PUT_CONDITIONS.find((h) => req.headers[h] !== undefined);
  if (refused) {
    throw new OssError(400, 'NotImplemented', 'A header you provided implies functionality that is not implemented.', { Header: titleCase(refused) }, '0017-00000245');
  }
  const bucket = bucketOf(req);
  checkContentMd5(req);
  const digest = md5(req.body);
  const object = bucket.commit(
    req.key!,
    {
      data: req.body,
      etag: `"${digest.toString('hex').toUpperCase()}"`,
      lastModified: new Date(),
      contentType: contentType(req),
      meta: userMeta(req),
      acl: objectAcl(req),
      type: 'Normal',
      contentMd5: digest.toString('base64'),
      httpHeaders: httpHeaders(req),
    },
    forbidOverwrite(req),
  );
  return { status: 200, headers: { etag: object.etag, 'content-md5': object.contentMd5!, ...versionHeader(object) } };
}

export function getObject(req: OssRequest, head: boolean): OssResponse {
  const bucket = bucketOf(req);
  const versionId = req.query.get('versionId');
  const object = versionId === undefined ? bucket.object(req.key!) : bucket.version(req.key!, versionId);
  const notModified = checkConditions(req, object, '');
  const headers = objectHeaders(object);
  if (notModified) return { status: 304, headers: { etag: object.etag, 'last-modified': headers['last-modified']! } };
  const size = object.data.byteLength;
  const range = parseRange(req.headers.range, size);
  if (!range) return { status: 200, headers: { ...headers, 'content-length': String(size) }, body: head ? undefined : object.data };
  const [start, end] = range;
  return {
    status: 206,
    headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) },
    body: head ? undefined : object.data.subarray(start, end + 1),
  };
}

export function deleteObject(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  const versionId = req.query.get('versionId');
  if (versionId !== undefined) {
    const removed = bucket.removeVersion(req.key!, versionId);
    return { status: 204, headers: { 'x-oss-version-id': versionId, ...(removed && isDeleteMarker(removed) ? { 'x-oss-delete-marker': 'true' } : {}) } };
  }
  const marker = bucket.remove(req.key!);
  return { status: 204, headers: marker ? { 'x-oss-delete-marker': 'true', 'x-oss-version-id': marker.versionId } : {} };
}

export function copyObject(req: OssRequest): OssResponse {
  const target = bucketOf(req);
  const { bucket: sourceBucket, key: sourceKey, versionId } = parseCopySource(req.headers['x-oss-copy-source']!);
  const source = copySource(req.store.bucket(sourceBucket), sourceKey, versionId);
  if (checkConditions(req, source, 'x-oss-copy-source-')) return { status: 304 };
  const directive = (req.headers['x-oss-metadata-directive'] ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw errors.invalidArgument('x-oss-metadata-directive must be COPY or REPLACE.', 'x-oss-metadata-directive', directive);
  const replace = directive === 'REPLACE';
  const object = target.commit(
    req.key!,
    {
      ...source,
      lastModified: new Date(),
      contentType: replace ? contentType(req) : source.contentType,
      meta: replace ? userMeta(req) : { ...source.meta },
      httpHeaders: replace ? httpHeaders(req) : { ...source.httpHeaders },
      acl: objectAcl(req),
    },
    forbidOverwrite(req),
  );
  return xmlResponse(`<CopyObjectResult>\n  <ETag>${object.etag}</ETag>\n  <LastModified>${isoDate(object.lastModified)}</LastModified>\n</CopyObjectResult>\n`, versionHeader(object));
}

export function getObjectAcl(req: OssRequest): OssResponse {
  const object = bucketOf(req).object(req.key!);
  return xmlResponse(
    `<AccessControlPolicy>\n  <Owner><ID>0</ID><DisplayName>0</DisplayName></Owner>\n  <AccessControlList><Grant>${object.acl}</Grant></AccessControlList>\n</AccessControlPolicy>\n`,
  );
}

/** The headers GetObject and HeadObject describe an object with. */
function objectHeaders(object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    'content-type': object.contentType,
    'accept-ranges': 'bytes',
    'x-oss-object-type': object.type,
    'x-oss-storage-class': 'Standard',
    ...object.httpHeaders,
    ...versionHeader(object),
  };
  if (object.contentMd5) headers['content-md5'] = object.contentMd5;
  for (const [name, value] of Object.entries(object.meta)) headers[`x-oss-meta-${name}`] = value;
  return headers;
}

function versionHeader(object: StoredObject): Record<string, string> {
  return object.versionId === undefined ? {} : { 'x-oss-version-id': object.versionId };
}

/**
 * Evaluates If-Match / If-Unmodified-Since (412) and If-None-Match / If-Modified-Since (true: answer 304),
 * under `prefix` (`''` for GetObject/HeadObject, `x-oss-copy-source-` for CopyObject).
 */
function checkConditions(req: OssRequest, object: StoredObject, prefix: string): boolean {
  const h = (name: string) => req.headers[`${prefix}${name}`];
  const modified = Math.floor(object.lastModified.getTime() / 1000) * 1000;
  const ifMatch = h('if-match');
  if (ifMatch !== undefined && !etagMatches(ifMatch, object.etag)) throw errors.preconditionFailed('If-Match');
  const ifUnmodified = h('if-unmodified-since');
  if (ifUnmodified !== undefined && !Number.isNaN(Date.parse(ifUnmodified)) && modified > Date.parse(ifUnmodified)) {
    throw errors.preconditionFailed('If-Unmodified-Since');
  }
  const ifNoneMatch = h('if-none-match');
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, object.etag);
  const ifModified = h('if-modified-since');
  return ifModified !== undefined && !Number.isNaN(Date.parse(ifModified)) && modified <= Date.parse(ifModified);
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` within the object; anything else is no range (whole object). */
function parseRange(header: string | undefined, size: number): [number, number] | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Number(m[2]);
  }
  if (start > end || start >= size || end >= size) return undefined;
  return [start, end];
}

/** The source object of a copy: the current one, or the version named (a delete marker cannot be copied). */
function copySource(bucket: Bucket, key: string, versionId: string | undefined): StoredObject {
  if (versionId === undefined) return bucket.object(key);
  const entry = bucket.entry(key, versionId);
  if (isDeleteMarker(entry)) throw new OssError(400, 'InvalidArgument', 'The version specified by x-oss-copy-source is a delete marker.', { ArgumentName: 'x-oss-copy-source', ArgumentValue: versionId }, '0016-00000307');
  return entry;
}

function parseCopySource(header: string): { bucket: string; key: string; versionId?: string } {
  const [path, versionId] = header.split('?versionId=');
  const m = /^\/?([^/]+)\/(.+)$/.exec(path!);
  if (!m) throw errors.invalidArgument('Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.', 'x-oss-copy-source', header);
  try {
    return { bucket: decodeURIComponent(m[1]!), key: decodeURIComponent(m[2]!), ...(versionId === undefined ? {} : { versionId }) };
  } catch {
    throw errors.invalidArgument('x-oss-copy-source is not correctly URL-encoded.', 'x-oss-copy-source', header);
  }
}

function titleCase(header: string): string {
  return header.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
}

