/**
 * Object info from S3 responses, with hashes only where they can be trusted: the ETag is the MD5 of the
 * content only for single-part uploads that are not encrypted with SSE-KMS or SSE-C; the SHA-256 is the
 * one Statestore stored in user metadata when it wrote the object.
 */
import type { HashAlgorithm, ObjectInfo } from '@statestore/core';
import { isKms } from './encryption.js';

/** User-metadata key (x-amz-meta-statestore-sha256) holding the SHA-256 core computed for a write. */
export const SHA256_METADATA = 'statestore-sha256';

/** The fields of Head/Get/Put/Copy responses that matter here. */
export interface ResponseFields {
  ETag?: string | undefined;
  ServerSideEncryption?: string | undefined;
  SSECustomerAlgorithm?: string | undefined;
  Metadata?: Record<string, string> | undefined;
  ContentLength?: number | undefined;
  ContentRange?: string | undefined;
  LastModified?: Date | undefined;
  ContentType?: string | undefined;
}

/** The MD5 an ETag stands for, or undefined when the ETag is not an MD5 (multipart, KMS, SSE-C, foreign formats). */
export function md5FromEtag(etag: string | undefined, encryption: { sse?: string | undefined; customerAlgorithm?: string | undefined } = {}): string | undefined {
  if (!etag || isKms(encryption.sse) || encryption.customerAlgorithm) return undefined;
  const bare = etag.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(bare) ? bare : undefined;
}

function sha256FromMetadata(metadata: Record<string, string> | undefined): string | undefined {
  const value = metadata?.[SHA256_METADATA]?.toLowerCase();
  return value && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
}

function hashes(md5: string | undefined, sha256: string | undefined): { hashes?: Partial<Record<HashAlgorithm, string>> } {
  if (!md5 && !sha256) return {};
  return { hashes: { ...(md5 ? { md5 } : {}), ...(sha256 ? { sha256 } : {}) } };
}

/** Info from a HeadObject or GetObject response. For a range read, the size is the whole object's. */
export function infoFromResponse(key: string, out: ResponseFields): ObjectInfo {
  const total = out.ContentRange ? /\/(\d+)\s*$/.exec(out.ContentRange)?.[1] : undefined;
  return {
    key,
    size: total !== undefined ? Number(total) : (out.ContentLength ?? 0),
    version: out.ETag ?? '',
    ...(out.LastModified ? { modified: out.LastModified } : {}),
    ...(out.ContentType ? { contentType: out.ContentType } : {}),
    ...hashes(md5FromEtag(out.ETag, { sse: out.ServerSideEncryption, customerAlgorithm: out.SSECustomerAlgorithm }), sha256FromMetadata(out.Metadata)),
    ...(out.Metadata && Object.keys(out.Metadata).length ? { metadata: { ...out.Metadata } } : {}),
  };
}

/** Info after a write (PutObject, CompleteMultipartUpload, CopyObject), which report no size or metadata. */
export function infoAfterWrite(key: string, size: number, out: ResponseFields, sha256: string | undefined, contentType?: string): ObjectInfo {
  return {
    key,
    size,
    version: out.ETag ?? '',
    ...(out.LastModified ? { modified: out.LastModified } : {}),
    ...(contentType ? { contentType } : {}),
    ...hashes(md5FromEtag(out.ETag, { sse: out.ServerSideEncryption, customerAlgorithm: out.SSECustomerAlgorithm }), sha256),
  };
}

/** Info of a listed object; `trustMd5` is false when the bucket may hold KMS-encrypted objects. */
export function infoFromListing(entry: { Key?: string | undefined; Size?: number | undefined; ETag?: string | undefined; LastModified?: Date | undefined }, trustMd5: boolean): ObjectInfo {
  return {
    key: entry.Key ?? '',
    size: entry.Size ?? 0,
    version: entry.ETag ?? '',
    ...(entry.LastModified ? { modified: entry.LastModified } : {}),
    ...hashes(trustMd5 ? md5FromEtag(entry.ETag) : undefined, undefined),
  };
}
