/**
 * ListObjectVersions (GetBucketVersions, `GET /?versions`). Facts relied on (OSS API reference,
 * "ListObjectVersions (GetBucketVersions)", and the "Delete marker" page):
 * - every version of every object is listed, delete markers included (ListObjectsV2 shows only current versions
 *   that are not delete markers); keys in lexicographic order, the versions of one key newest first;
 * - parameters prefix, delimiter, key-marker, version-id-marker (only with key-marker), max-keys (1–1,000,
 *   default 100), encoding-type (url). Without version-id-marker the listing starts after every version of
 *   key-marker; with it, after that version of key-marker;
 * - when not everything fits, IsTruncated is true and NextKeyMarker / NextVersionIdMarker name the last entry
 *   returned (the markers of the next page);
 * - each `<Version>` has Key, VersionId, IsLatest, LastModified, ETag, Type, Size, StorageClass, Owner; each
 *   `<DeleteMarker>` has Key, VersionId, IsLatest, LastModified, Owner; a version written before versioning was
 *   set has the VersionId `null`;
 * - with a delimiter, keys that share the part up to the first delimiter after the prefix are one
 *   CommonPrefixes/Prefix, counted once against max-keys.
 */
import { errors } from './errors.js';
import { lowerBound } from './listing.js';
import { type OssRequest, type OssResponse, bucketOf, isoDate, listingPaging, xmlResponse } from './request.js';
import { type VersionEntry, isDeleteMarker, versionIdOf } from './store.js';
import { escapeXml } from './xml.js';

const OWNER = '    <Owner><ID>0</ID><DisplayName>0</DisplayName></Owner>\n';

export function listObjectVersions(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker') ?? '';
  if (versionIdMarker !== '' && keyMarker === '') throw errors.invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', versionIdMarker);
  const { maxKeys, url, show } = listingPaging(q);

  const keys = bucket.versionedKeys();
  // With a version-id marker the listing resumes inside key-marker's versions; otherwise after all of them.
  let i = Math.max(lowerBound(keys, keyMarker, versionIdMarker === ''), lowerBound(keys, prefix, false));
  const entries: { key: string; entry: VersionEntry; latest: boolean }[] = [];
  const prefixes: string[] = [];
  let last: { key: string; versionId?: string } | undefined;
  let truncated = false;
  const full = () => entries.length + prefixes.length === maxKeys;
  for (; i < keys.length && !truncated; i++) {
    const key = keys[i]!;
    if (!key.startsWith(prefix)) {
      if (Buffer.compare(Buffer.from(key), Buffer.from(prefix)) > 0) break;
      continue;
    }
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    if (cut !== -1) {
      const common = key.slice(0, cut + delimiter.length);
      // A common prefix that was the last entry of the previous page (key-marker) is not listed again.
      if (common === prefixes[prefixes.length - 1] || common === keyMarker) continue;
      if (full()) truncated = true;
      else {
        prefixes.push(common);
        last = { key: common };
      }
      continue;
    }
    const versions = bucket.versionsOf(key);
    let from = 0;
    if (key === keyMarker && versionIdMarker !== '') from = versions.findIndex((v) => versionIdOf(v) === versionIdMarker) + 1;
    for (let v = from; v < versions.length; v++) {
      if (full()) {
        truncated = true;
        break;
      }
      entries.push({ key, entry: versions[v]!, latest: v === 0 });
      last = { key, versionId: versionIdOf(versions[v]!) };
    }
  }

  const body =
    '<ListVersionsResult>\n' +
    `  <Name>${escapeXml(bucket.name)}</Name>\n` +
    `  <Prefix>${show(prefix)}</Prefix>\n` +
    `  <KeyMarker>${show(keyMarker)}</KeyMarker>\n` +
    `  <VersionIdMarker>${escapeXml(versionIdMarker)}</VersionIdMarker>\n` +
    `  <MaxKeys>${maxKeys}</MaxKeys>\n` +
    (delimiter === '' ? '' : `  <Delimiter>${show(delimiter)}</Delimiter>\n`) +
    (url ? '  <EncodingType>url</EncodingType>\n' : '') +
    `  <IsTruncated>${truncated}</IsTruncated>\n` +
    (truncated && last ? `  <NextKeyMarker>${show(last.key)}</NextKeyMarker>\n  <NextVersionIdMarker>${escapeXml(last.versionId ?? '')}</NextVersionIdMarker>\n` : '') +
    entries.map(({ key, entry, latest }) => versionXml(show(key), entry, latest)).join('') +
    prefixes.map((p) => `  <CommonPrefixes>\n    <Prefix>${show(p)}</Prefix>\n  </CommonPrefixes>\n`).join('') +
    '</ListVersionsResult>\n';
  return xmlResponse(body);
}

function versionXml(key: string, entry: VersionEntry, latest: boolean): string {
  const common = `    <Key>${key}</Key>\n    <VersionId>${escapeXml(versionIdOf(entry))}</VersionId>\n    <IsLatest>${latest}</IsLatest>\n    <LastModified>${isoDate(entry.lastModified)}</LastModified>\n`;
  if (isDeleteMarker(entry)) return `  <DeleteMarker>\n${common}${OWNER}  </DeleteMarker>\n`;
  return (
    `  <Version>\n${common}` +
    `    <ETag>${entry.etag}</ETag>\n    <Type>${entry.type}</Type>\n    <Size>${entry.data.byteLength}</Size>\n    <StorageClass>Standard</StorageClass>\n${OWNER}  </Version>\n`
  );
}
