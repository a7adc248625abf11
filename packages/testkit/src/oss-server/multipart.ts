/**
 * Multipart upload: InitiateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload. Facts
 * relied on (OSS API reference pages of those operations, and troubleshooting page 0042-00000214):
 * - Initiate: `POST /key?uploads` → `<InitiateMultipartUploadResult><Bucket/><Key/><UploadId/>`; it takes the
 *   object's Content-Type, `x-oss-meta-*`, `x-oss-object-acl`, and `x-oss-forbid-overwrite` (checked now and again
 *   at completion).
 * - UploadPart: `PUT /key?partNumber=N&uploadId=ID`, N from 1 to 10,000; the part's ETag is the MD5 of its bytes;
 *   an unknown upload id is 404 NoSuchUpload.
 * - Complete: `POST /key?uploadId=ID` with `<CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>…`; part numbers
 *   ascending (else 400 InvalidPartOrder), each one uploaded with that ETag (else 400 InvalidPart), every part but the
 *   last at least 100 KB (else 400 EntityTooSmall). The object's ETag is not an MD5 of the content but `<HEX>-<parts>`.
 *   With `x-oss-forbid-overwrite: true` and an existing object: 409 FileAlreadyExists (EC 0042-00000214). The
 *   response is `<CompleteMultipartUploadResult><Location/><Bucket/><Key/><ETag/>`; the upload id is then gone.
 * - Abort: `DELETE /key?uploadId=ID` → 204.
 */
import { createHash, randomBytes } from 'node:crypto';
import { OssError, errors } from './errors.js';
import {
  type OssRequest,
  type OssResponse,
  bucketOf,
  checkContentMd5,
  contentType,
  forbidOverwrite,
  httpHeaders,
  md5,
  objectAcl,
  userMeta,
  xmlResponse,
} from './request.js';
import type { Bucket, MultipartUpload } from './store.js';
import { child, childText, escapeXml, parseXml } from './xml.js';

const MIN_PART = 100 * 1024;

export function initiateMultipartUpload(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  if (forbidOverwrite(req) && bucket.objects.has(req.key!) && bucket.versioning === undefined) throw errors.fileAlreadyExists(req.key!);
  const uploadId = randomBytes(16).toString('hex').toUpperCase();
  bucket.uploads.set(uploadId, {
    uploadId,
    key: req.key!,
    initiated: new Date(),
    template: { contentType: contentType(req), meta: userMeta(req), acl: objectAcl(req), httpHeaders: httpHeaders(req) },
    parts: new Map(),
  });
  return xmlResponse(
    `<InitiateMultipartUploadResult>\n  <Bucket>${escapeXml(bucket.name)}</Bucket>\n  <Key>${escapeXml(req.key!)}</Key>\n  <UploadId>${uploadId}</UploadId>\n</InitiateMultipartUploadResult>\n`,
  );
}

export function uploadPart(req: OssRequest): OssResponse {
  const upload = uploadOf(bucketOf(req), req);
  const partNumber = Number(req.query.get('partNumber'));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
    throw errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive.', 'partNumber', req.query.get('partNumber'));
  }
  checkContentMd5(req);
  const etag = `"${md5(req.body).toString('hex').toUpperCase()}"`;
  upload.parts.set(partNumber, { data: req.body, etag });
  return { status: 200, headers: { etag } };
}

export function completeMultipartUpload(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  const upload = uploadOf(bucket, req);
  const listed = parseParts(req.body);
  const parts = listed.map(({ number, etag }, i) => {
    if (i > 0 && number <= listed[i - 1]!.number) throw new OssError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
    const part = upload.parts.get(number);
    if (!part || part.etag.replace(/"/g, '').toUpperCase() !== etag.replace(/"/g, '').toUpperCase()) {
      throw new OssError(400, 'InvalidPart', 'One or more of the specified parts could not be found or the specified entity tag might not have matched the part\'s entity tag.', { PartNumber: String(number), ETag: etag });
    }
    return part;
  });
  parts.slice(0, -1).forEach((p, i) => {
    if (p.data.byteLength < MIN_PART) throw new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.', { PartNumber: String(listed[i]!.number) });
  });
  const combined = createHash('md5');
  for (const p of parts) combined.update(md5(p.data));
  const etag = `"${combined.digest('hex').toUpperCase()}-${parts.length}"`;
  let object;
  try {
    object = bucket.commit(
      upload.key,
      { ...upload.template, data: Buffer.concat(parts.map((p) => p.data)), etag, lastModified: new Date(), type: 'Multipart' },
      forbidOverwrite(req),
    );
  } catch (e) {
    if (e instanceof OssError && e.code === 'FileAlreadyExists') throw new OssError(409, e.code, e.message, e.extra, '0042-00000214');
    throw e;
  }
  bucket.uploads.delete(upload.uploadId);
  return xmlResponse(
    `<CompleteMultipartUploadResult>\n  <Location>/${escapeXml(bucket.name)}/${escapeXml(upload.key)}</Location>\n  <Bucket>${escapeXml(bucket.name)}</Bucket>\n  <Key>${escapeXml(upload.key)}</Key>\n  <ETag>${object.etag}</ETag>\n</CompleteMultipartUploadResult>\n`,
    object.versionId === undefined ? {} : { 'x-oss-version-id': object.versionId },
  );
}

export function abortMultipartUpload(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  bucket.uploads.delete(uploadOf(bucket, req).uploadId);
  return { status: 204 };
}

function uploadOf(bucket: Bucket, req: OssRequest): MultipartUpload {
  const upload = bucket.uploads.get(req.query.get('uploadId') ?? '');
  if (!upload || upload.key !== req.key) {
    throw new OssError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: req.query.get('uploadId') ?? '' });
  }
  return upload;
}

function parseParts(body: Buffer): { number: number; etag: string }[] {
  let root;
  try {
    root = parseXml(body.toString('utf8'));
  } catch {
    throw errors.malformedXml();
  }
  if (root.name !== 'CompleteMultipartUpload') throw errors.malformedXml();
  const parts = root.children
    .filter((c) => c.name === 'Part')
    .map((p) => ({ number: Number(childText(p, 'PartNumber')), etag: child(p, 'ETag') ? childText(p, 'ETag')! : '' }));
  if (parts.length === 0 || parts.some((p) => !Number.isInteger(p.number) || p.etag === '')) throw errors.malformedXml();
  return parts;
}
