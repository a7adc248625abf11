/**
 * ListObjectsV2 (`GET /?list-type=2`). Facts relied on (OSS API reference, "ListObjectsV2 (GetBucketV2)"):
 * - parameters prefix, delimiter, start-after, continuation-token, max-keys (1–1,000, default 100),
 *   encoding-type (url), fetch-owner;
 * - keys come in lexicographic order; with a delimiter, keys that share the part up to the first delimiter after
 *   the prefix are rolled into one CommonPrefixes/Prefix, and max-keys counts files and prefixes together
 *   (KeyCount is their sum);
 * - when not everything fits, IsTruncated is true and NextContinuationToken is the continuation-token of the next
 *   page (an opaque string);
 * - with encoding-type=url, Delimiter, StartAfter, Prefix, NextContinuationToken and Key are URL-encoded;
 * - each Contents has Key, LastModified, ETag, Type, Size, StorageClass (and Owner with fetch-owner=true).
 */
import { errors } from './errors.js';
import { type OssRequest, type OssResponse, bucketOf, isoDate, listingPaging, xmlResponse } from './request.js';
import { escapeXml } from './xml.js';

export function listObjectsV2(req: OssRequest): OssResponse {
  const bucket = bucketOf(req);
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const startAfter = q.get('start-after');
  const token = q.get('continuation-token');
  const { maxKeys, url, show } = listingPaging(q);

  const keys = bucket.sortedKeys();
  // The first key this page may return: the token's key (inclusive), else the first key after start-after.
  let i: number;
  if (token !== undefined) {
    const from = decodeToken(token);
    i = lowerBound(keys, from, false);
  } else {
    i = startAfter === undefined ? 0 : lowerBound(keys, startAfter, true);
  }
  i = Math.max(i, lowerBound(keys, prefix, false));
  const contents: string[] = [];
  const prefixes: string[] = [];
  let next: string | undefined;
  const prefixBytes = Buffer.from(prefix);
  while (i < keys.length) {
    const key = keys[i]!;
    if (!key.startsWith(prefix)) {
      if (Buffer.compare(Buffer.from(key), prefixBytes) > 0) break;
      i++;
      continue;
    }
    if (contents.length + prefixes.length === maxKeys) {
      next = key;
      break;
    }
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    if (cut === -1) {
      contents.push(key);
      i++;
    } else {
      const common = key.slice(0, cut + delimiter.length);
      prefixes.push(common);
      while (i < keys.length && keys[i]!.startsWith(common)) i++;
    }
  }

  const body =
    '<ListBucketResult>\n' +
    `  <Name>${escapeXml(bucket.name)}</Name>\n` +
    `  <Prefix>${show(prefix)}</Prefix>\n` +
    (startAfter === undefined ? '' : `  <StartAfter>${show(startAfter)}</StartAfter>\n`) +
    (token === undefined ? '' : `  <ContinuationToken>${show(token)}</ContinuationToken>\n`) +
    `  <MaxKeys>${maxKeys}</MaxKeys>\n` +
    (delimiter === '' ? '' : `  <Delimiter>${show(delimiter)}</Delimiter>\n`) +
    (url ? '  <EncodingType>url</EncodingType>\n' : '') +
    `  <IsTruncated>${next !== undefined}</IsTruncated>\n` +
    (next === undefined ? '' : `  <NextContinuationToken>${show(encodeToken(next))}</NextContinuationToken>\n`) +
    contents
      .map((key) => {
        const o = bucket.objects.get(key)!;
        return (
          '  <Contents>\n' +
          `    <Key>${show(key)}</Key>\n` +
          `    <LastModified>${isoDate(o.lastModified)}</LastModified>\n` +
          `    <ETag>${o.etag}</ETag>\n` +
          `    <Type>${o.type}</Type>\n` +
          `    <Size>${o.data.byteLength}</Size>\n` +
          '    <StorageClass>Standard</StorageClass>\n' +
          (q.get('fetch-owner') === 'true' ? '    <Owner><ID>0</ID><DisplayName>0</DisplayName></Owner>\n' : '') +
          '  </Contents>\n'
        );
      })
      .join('') +
    prefixes.map((p) => `  <CommonPrefixes>\n    <Prefix>${show(p)}</Prefix>\n  </CommonPrefixes>\n`).join('') +
    `  <KeyCount>${contents.length + prefixes.length}</KeyCount>\n` +
    '</ListBucketResult>\n';
  return xmlResponse(body);
}

/** Index of the first key ≥ `key` (or > `key` when `exclusive`), in UTF-8 byte order. */
export function lowerBound(keys: readonly string[], key: string, exclusive: boolean): number {
  const target = Buffer.from(key);
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = Buffer.compare(Buffer.from(keys[mid]!), target);
    if (c < 0 || (exclusive && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) throw errors.invalidArgument('The continuation token provided is incorrect.', 'continuation-token', token);
  return Buffer.from(token, 'base64url').toString('utf8');
}
