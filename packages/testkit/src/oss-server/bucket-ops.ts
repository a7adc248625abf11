/**
 * Bucket operations: PutBucket, GetBucketInfo (the documented way to look at a bucket), DeleteBucket,
 * GetBucketVersioning, PutBucketVersioning, DeleteMultipleObjects. Facts relied on (OSS API reference pages of
 * those operations):
 * - PutBucket: names are 3–63 characters of lowercase letters, digits and hyphens, not starting or ending with a
 *   hyphen (else 400 InvalidBucketName); an existing name is 409 BucketAlreadyExists; `x-oss-acl` is private,
 *   public-read or public-read-write.
 * - DeleteBucket: 204; a bucket with objects, kept versions or uploads is 409 BucketNotEmpty.
 * - GetBucketVersioning: `<VersioningConfiguration>` with `<Status>` Enabled or Suspended, and no Status when
 *   versioning was never enabled. PutBucketVersioning takes the same document (Status Enabled or Suspended).
 * - DeleteMultipleObjects: `POST /?delete`, `<Delete><Quiet/><Object><Key/></Object>…</Delete>`, at most 1,000 keys
 *   (else MalformedXML); Content-MD5 is checked when sent; deleting a missing object counts as deleted; the verbose
 *   answer lists `<Deleted><Key/></Deleted>` per key, the quiet one only failures; `encoding-type=url` encodes keys.
 *   On a versioned bucket each key without `<VersionId>` gets a delete marker (`<DeleteMarker>true</DeleteMarker>`
 *   and its `<DeleteMarkerVersionId>`); an `<Object>` with `<VersionId>` removes that version (answered with it).
 */
import { OssError, errors } from './errors.js';
import { type OssRequest, type OssResponse, bucketOf, checkContentMd5, isoDate, xmlResponse } from './request.js';
import { Bucket, isDeleteMarker } from './store.js';
import { childText, escapeXml, parseXml } from './xml.js';

const BUCKET_ACLS = new Set(['private', 'public-read', 'public-read-write']);

export function putBucket(req: OssRequest): OssResponse {
  const name = req.bucket!;
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) throw new OssError(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
  const acl = req.headers['x-oss-acl'] ?? 'private';
  if (!BUCKET_ACLS.has(acl)) throw errors.invalidArgument('no such bucket access control exists', 'x-oss-acl', acl);
  if (req.body.byteLength > 0) parseDocument(req.body, 'CreateBucketConfiguration');
  if (req.store.buckets.has(name)) throw new OssError(409, 'BucketAlreadyExists', 'The requested bucket name is not available.', { BucketName: name });
  req.store.buckets.set(name, new Bucket(name, new Date(), acl));
  return { status: 200, headers: { location: `/${name}` } };
}

export function getBucketInfo(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  const endpoint = `${req.location}.aliyuncs.com`;
  return xmlResponse(
    '<BucketInfo>\n  <Bucket>\n' +
      `    <CreationDate>${isoDate(bucket.created)}</CreationDate>\n` +
      `    <ExtranetEndpoint>${endpoint}</ExtranetEndpoint>\n` +
      `    <IntranetEndpoint>${req.location}-internal.aliyuncs.com</IntranetEndpoint>\n` +
      `    <Location>${req.location}</Location>\n` +
      `    <Name>${escapeXml(bucket.name)}</Name>\n` +
      '    <StorageClass>Standard</StorageClass>\n' +
      (bucket.versioning ? `    <Versioning>${bucket.versioning}</Versioning>\n` : '') +
      '    <Owner><DisplayName>0</DisplayName><ID>0</ID></Owner>\n' +
      `    <AccessControlList><Grant>${bucket.acl}</Grant></AccessControlList>\n` +
      '  </Bucket>\n</BucketInfo>\n',
  );
}

export function deleteBucket(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  if (bucket.objects.size > 0 || bucket.versions.size > 0 || bucket.uploads.size > 0) throw new OssError(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty.', { BucketName: bucket.name });
  req.store.buckets.delete(bucket.name);
  return { status: 204 };
}

export function getBucketVersioning(req: OssRequest): OssResponse {
  const { versioning } = bucketOf(req);
  return xmlResponse(versioning ? `<VersioningConfiguration>\n  <Status>${versioning}</Status>\n</VersioningConfiguration>\n` : '<VersioningConfiguration/>\n');
}

export function putBucketVersioning(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  const status = childText(parseDocument(req.body, 'VersioningConfiguration'), 'Status');
  if (status !== 'Enabled' && status !== 'Suspended') throw errors.malformedXml();
  bucket.versioning = status;
  return { status: 200 };
}

export function deleteMultipleObjects(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  checkContentMd5(req);
  const root = parseDocument(req.body, 'Delete');
  const quiet = childText(root, 'Quiet') === 'true';
  const targets = root.children.filter((c) => c.name === 'Object').map((o) => ({ key: childText(o, 'Key') ?? '', versionId: childText(o, 'VersionId') }));
  if (targets.length === 0 || targets.length > 1000 || targets.some((t) => t.key === '' || t.versionId === '')) throw errors.malformedXml();
  const answers = targets.map(({ key, versionId }) => {
    if (versionId !== undefined) {
      const removed = bucket.removeVersion(key, versionId);
      return { key, details: `    <VersionId>${escapeXml(versionId)}</VersionId>\n${removed && isDeleteMarker(removed) ? '    <DeleteMarker>true</DeleteMarker>\n' : ''}` };
    }
    const marker = bucket.remove(key);
    return { key, details: marker ? `    <DeleteMarker>true</DeleteMarker>\n    <DeleteMarkerVersionId>${escapeXml(marker.versionId)}</DeleteMarkerVersionId>\n` : '' };
  });
  if (quiet) return { status: 200 };
  const url = req.query.get('encoding-type') === 'url';
  const show = (key: string) => escapeXml(url ? encodeURIComponent(key) : key);
  const deleted = answers.map((a) => `  <Deleted>\n    <Key>${show(a.key)}</Key>\n${a.details}  </Deleted>\n`).join('');
  return xmlResponse(`<DeleteResult>\n${url ? '  <EncodingType>url</EncodingType>\n' : ''}${deleted}</DeleteResult>\n`);
}

function parseDocument(body: Buffer, rootName: string) {
  try {
    const root = parseXml(body.toString('utf8'));
    if (root.name === rootName) return root;
  } catch {
    // answered below
  }
  throw errors.malformedXml();
}
