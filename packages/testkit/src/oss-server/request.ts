/**
 * What an operation handler receives and returns, and the request-header rules several operations share
 * (facts from the PutObject, CopyObject, InitiateMultipartUpload and troubleshooting pages of the OSS API reference):
 * - `x-oss-forbid-overwrite` takes only `true` or `false` (anything else: 400 InvalidArgument, EC 0017-00000279);
 * - `x-oss-object-acl` is one of default, private, public-read, public-read-write;
 * - `x-oss-meta-*` headers are user metadata, at most 8 KB in total;
 * - a Content-MD5 that does not match the body is 400 InvalidDigest.
 */
import { createHash } from 'node:crypto';
import { OssError, errors } from './errors.js';
import { escapeXml } from './xml.js';
import type { Bucket, Store } from './store.js';

export interface OssRequest {
  method: string;
  bucket?: string;
  key?: string;
  /** Lowercase names. */
  headers: Record<string, string>;
  /** Decoded query parameters; a parameter without `=` maps to `''`. */
  query: Map<string, string>;
  body: Buffer;
  store: Store;
  /** `oss-<region>`, as the service reports locations. */
  location: string;
}

export interface OssResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export const OBJECT_ACLS = new Set(['default', 'private', 'public-read', 'public-read-write']);
const STANDARD_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'expires'];

export function bucketOf(req: OssRequest): Bucket {
  return req.store.bucket(req.bucket!);
}

export function forbidOverwrite(req: OssRequest): boolean {
  const value = req.headers['x-oss-forbid-overwrite'];
  if (value === undefined) return false;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new OssError(400, 'InvalidArgument', 'x-oss-forbid-overwrite is invalid; valid values are true and false.', { ArgumentName: 'x-oss-forbid-overwrite', ArgumentValue: value }, '0017-00000279');
}

export function objectAcl(req: OssRequest): string {
  const acl = req.headers['x-oss-object-acl'] ?? 'default';
  if (!OBJECT_ACLS.has(acl)) throw errors.invalidArgument('no such object access control exists', 'x-oss-object-acl', acl);
  return acl;
}

export function userMeta(req: OssRequest): Record<string, string> {
  const meta: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith('x-oss-meta-')) continue;
    meta[name.slice('x-oss-meta-'.length)] = value;
    size += name.length + value.length;
  }
  if (size > 8 * 1024) throw errors.invalidArgument('Your metadata headers exceed the maximum allowed metadata size (8 KB).');
  return meta;
}

export function httpHeaders(req: OssRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of STANDARD_HEADERS) if (req.headers[name] !== undefined) out[name] = req.headers[name]!;
  return out;
}

export function contentType(req: OssRequest): string {
  return req.headers['content-type'] ?? 'application/octet-stream';
}

export function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

/** Checks Content-MD5 when the request sent one. */
export function checkContentMd5(req: OssRequest): void {
  const sent = req.headers['content-md5'];
  if (sent !== undefined && sent !== md5(req.body).toString('base64')) {
    throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
  }
}

/** ETag comparison for conditional headers: quotes and case do not matter, `*` matches anything. */
export function etagMatches(condition: string, etag: string): boolean {
  const bare = (s: string) => s.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toUpperCase();
  return condition.split(',').some((c) => c.trim() === '*' || bare(c) === bare(etag));
}

export function xmlResponse(xml: string, headers: Record<string, string> = {}): OssResponse {
  return { status: 200, headers: { 'content-type': 'application/xml', ...headers }, body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}` };
}

export function isoDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '.000Z');
}

/**
 * The paging parameters both listings take: max-keys (1–1000, default 100) and encoding-type (only `url`),
 * with `show`, which escapes a key for the XML answer and URL-encodes it when asked.
 */
export function listingPaging(q: OssRequest['query']): { maxKeys: number; url: boolean; show: (text: string) => string } {
  const maxKeysText = q.get('max-keys') ?? '100';
  const maxKeys = Number(maxKeysText);
  if (!/^\d+$/.test(maxKeysText) || maxKeys < 1 || maxKeys > 1000) throw errors.invalidArgument('max-keys must be between 1 and 1000.', 'max-keys', maxKeysText);
  const url = q.get('encoding-type') === 'url';
  if (q.has('encoding-type') && !url) throw errors.invalidArgument('encoding-type may only be url.', 'encoding-type', q.get('encoding-type'));
  return { maxKeys, url, show: (text: string) => escapeXml(url ? encodeURIComponent(text) : text) };
}
