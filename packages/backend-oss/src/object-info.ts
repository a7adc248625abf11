/**
 * OSS responses → core's ObjectInfo. The version token is the ETag. Hashes only where trustworthy: MD5 from
 * Content-MD5, or from the ETag of a `Normal` object (written by one PutObject, whose ETag the reference defines
 * as the content MD5) — never from a multipart ETag; SHA-256 from the `x-oss-meta-sha256` metadata this backend
 * stores when core computed it (OSS computes no SHA-256 itself).
 */
import { type ObjectInfo } from '@statestore/core';
import { metadataFromHeaders } from '@statestore/core/driver-kit';
import type { AliListedObject, AliResponse } from './client.js';

/** The user-metadata name of the SHA-256 this backend stores (`x-oss-meta-sha256`). */
export const SHA256_METADATA_KEY = 'sha256';

type Headers = AliResponse['headers'];

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The ETag without quotes (the version token). */
export function versionOf(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '');
}

function md5FromEtag(etag: string | undefined, type: string | undefined): string | undefined {
  const bare = versionOf(etag);
  return type === 'Normal' && /^[0-9a-f]{32}$/i.test(bare) ? bare.toLowerCase() : undefined;
}

/** From the headers of HeadObject/GetObject (for a range read, the size is the whole object's, from Content-Range). */
export function infoFromHeaders(key: string, headers: Headers): ObjectInfo {
  const range = /\/(\d+)$/.exec(header(headers, 'content-range') ?? '');
  const size = Number(range ? range[1] : (header(headers, 'content-length') ?? '0'));
  const contentMd5 = header(headers, 'content-md5');
  const md5 = contentMd5 ? Buffer.from(contentMd5, 'base64').toString('hex') : md5FromEtag(header(headers, 'etag'), header(headers, 'x-oss-object-type'));
  const sha256 = header(headers, `x-oss-meta-${SHA256_METADATA_KEY}`);
  const modified = header(headers, 'last-modified');
  const contentType = header(headers, 'content-type');
  return {
    key,
    size,
    version: versionOf(header(headers, 'etag')),
    ...(modified ? { modified: new Date(modified) } : {}),
    ...(md5 || sha256 ? { hashes: { ...(md5 ? { md5 } : {}), ...(sha256 && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {}) } } : {}),
    ...(contentType ? { contentType } : {}),
    ...metadataOf(headers),
  };
}

function metadataOf(headers: Headers): { metadata?: Record<string, string> } {
  const metadata = metadataFromHeaders(headers, 'x-oss-meta-');
  return metadata ? { metadata } : {};
}

/** From one ListObjectsV2 entry; `key` is the decoded name. */
export function infoFromListing(key: string, object: AliListedObject): ObjectInfo {
  const md5 = md5FromEtag(object.etag, object.type);
  return {
    key,
    size: Number(object.size),
    version: versionOf(object.etag),
    ...(object.lastModified ? { modified: new Date(object.lastModified) } : {}),
    ...(md5 ? { hashes: { md5 } } : {}),
  };
}

/** Keys, tokens and markers come URL-encoded when asked for with encoding-type=url. */
export function urlDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}
