/**
 * The two OSS request-signature algorithms, as pure functions, so that their tests can feed them the
 * published examples. Facts relied on:
 *
 * V1 (Alibaba Cloud OSS API reference, "Include a V1 signature in the Authorization header", doc 31951):
 * - `Authorization: OSS <AccessKeyId>:<Signature>`, Signature = base64(hmac-sha1(secret, StringToSign)).
 * - StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedOSSHeaders CanonicalizedResource.
 * - CanonicalizedOSSHeaders: every `x-oss-*` header, name lowercased, value trimmed, sorted, each `name:value\n`
 *   (the STS `x-oss-security-token` included).
 * - CanonicalizedResource: `/bucket/key` (`/bucket/` without a key, `/` without a bucket), then `?` and the
 *   sub-resources present in the query, sorted, `&`-joined, `name=value` or a bare `name` when empty.
 *   The reference lists the sub-resources; the ones added to the service since (versioning, versions,
 *   versionId, continuation-token, …) are signed too, as are `x-oss-*` query parameters.
 * - When a request carries `x-oss-date` instead of `Date` (what ali-oss sends), that value fills the Date line.
 *
 * V4 (Alibaba Cloud OSS API reference, "Include a V4 signature in the Authorization header", and the vectors
 * published with Alibaba's official SDKs):
 * - `Authorization: OSS4-HMAC-SHA256 Credential=<id>/<yyyymmdd>/<region>/oss/aliyun_v4_request[,AdditionalHeaders=a;b],Signature=<hex>`.
 * - CanonicalRequest = VERB \n URI \n Query \n CanonicalHeaders \n AdditionalHeaders \n HashedPayload, where URI is
 *   `/bucket/key` RFC 3986-encoded with `/` kept; Query is the RFC 3986-encoded parameters sorted by name,
 *   `name=value` or a bare `name` when the value is empty; CanonicalHeaders are content-type, content-md5,
 *   every `x-oss-*` header and the additional ones, lowercased, sorted, `name:trimmed value\n`;
 *   HashedPayload is the `x-oss-content-sha256` header (UNSIGNED-PAYLOAD when absent).
 * - StringToSign = `OSS4-HMAC-SHA256\n<x-oss-date>\n<date>/<region>/oss/aliyun_v4_request\n<hex sha256 of CanonicalRequest>`.
 * - SigningKey = HMAC chain over `aliyun_v4` + secret: date, region, `oss`, `aliyun_v4_request`; Signature = hex HMAC-SHA256.
 */
import { createHash, createHmac } from 'node:crypto';

/** The parts of a request that a signature covers. Names of headers are lowercase. */
export interface SignableRequest {
  method: string;
  bucket?: string;
  /** Decoded object key. */
  key?: string;
  headers: Readonly<Record<string, string>>;
  /** Decoded query parameters in order; a parameter without `=` has the value `''`. */
  query: ReadonlyArray<readonly [string, string]>;
}

const V1_SUB_RESOURCES = new Set([
  // Listed in the V1 reference page.
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append', 'tagging',
  'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style', 'styleName', 'replication',
  'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live', 'status', 'vod',
  'startTime', 'endTime', 'symlink', 'x-oss-process', 'response-content-type', 'response-content-language',
  'response-expires', 'response-cache-control', 'response-content-disposition', 'response-content-encoding',
  // Signed by the service since (sub-resources of newer operations).
  'stat', 'restore', 'callback', 'callback-var', 'versions', 'versioning', 'versionId', 'sequential',
  'continuation-token', 'regionList', 'cloudboxes',
]);

export function v1StringToSign(req: SignableRequest): string {
  const h = req.headers;
  const ossHeaders = Object.keys(h)
    .filter((name) => name.startsWith('x-oss-'))
    .sort()
    .map((name) => `${name}:${h[name]!.trim()}\n`)
    .join('');
  const subResources = req.query
    .filter(([name]) => V1_SUB_RESOURCES.has(name) || name.startsWith('x-oss-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`));
  let resource = req.bucket === undefined ? '/' : `/${req.bucket}/${req.key ?? ''}`;
  if (subResources.length > 0) resource += `?${subResources.join('&')}`;
  const date = h.date ?? h['x-oss-date'] ?? '';
  return `${req.method}\n${h['content-md5'] ?? ''}\n${h['content-type'] ?? ''}\n${date}\n${ossHeaders}${resource}`;
}

export function v1Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
}

/** RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - . _ ~ */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function v4CanonicalRequest(req: SignableRequest, additionalHeaders: readonly string[]): string {
  const path = req.bucket === undefined ? '/' : `/${req.bucket}/${req.key ?? ''}`;
  const uri = uriEncode(path).replace(/%2F/g, '/');
  const query = req.query
    .map(([name, value]) => [uriEncode(name), value === '' ? '' : uriEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`))
    .join('&');
  const extra = new Set(additionalHeaders);
  const h = req.headers;
  const headers = Object.keys(h)
    .filter((name) => name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-') || extra.has(name))
    .sort()
    .map((name) => `${name}:${h[name]!.trim()}\n`)
    .join('');
  return [req.method, uri, query, headers, additionalHeaders.join(';'), h['x-oss-content-sha256'] ?? 'UNSIGNED-PAYLOAD'].join('\n');
}

export function v4Scope(date: string, region: string, product = 'oss'): string {
  return `${date}/${region}/${product}/aliyun_v4_request`;
}

export function v4StringToSign(timestamp: string, scope: string, canonicalRequest: string): string {
  return `OSS4-HMAC-SHA256\n${timestamp}\n${scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
}

export function v4Signature(secret: string, date: string, region: string, stringToSign: string, product = 'oss'): string {
  let key: Buffer = createHmac('sha256', `aliyun_v4${secret}`).update(date).digest();
  for (const part of [region, product, 'aliyun_v4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/** What an Authorization header claims. */
export type ParsedAuthorization =
  | { version: 1; accessKeyId: string; signature: string }
  | { version: 4; accessKeyId: string; date: string; region: string; product: string; additionalHeaders: string[]; signature: string };

/** Parses an Authorization header; undefined when it is neither form (the caller answers InvalidArgument). */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const v1 = /^OSS ([^:\s]+):(\S+)$/.exec(header.trim());
  if (v1) return { version: 1, accessKeyId: v1[1]!, signature: v1[2]! };
  const v4 = /^OSS4-HMAC-SHA256\s+(.*)$/.exec(header.trim());
  if (!v4) return undefined;
  const fields = new Map(
    v4[1]!.split(',').map((part) => {
      const i = part.indexOf('=');
      return [part.slice(0, i).trim(), part.slice(i + 1).trim()] as const;
    }),
  );
  const credential = fields.get('Credential')?.split('/');
  const signature = fields.get('Signature');
  if (!credential || credential.length !== 5 || credential[4] !== 'aliyun_v4_request' || !signature) return undefined;
  const additional = fields.get('AdditionalHeaders');
  return {
    version: 4,
    accessKeyId: credential[0]!,
    date: credential[1]!,
    region: credential[2]!,
    product: credential[3]!,
    additionalHeaders: additional ? additional.split(';').map((s) => s.trim().toLowerCase()).filter(Boolean) : [],
    signature,
  };
}
