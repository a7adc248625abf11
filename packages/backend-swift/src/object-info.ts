/**
 * ObjectInfo from Swift's answers: object response headers (HEAD, GET, PUT) and container listing
 * entries. The version token is `<etag>@<last-modified seconds>`, which every one of those answers gives
 * the same way (Swift rounds Last-Modified up to the next second). The md5 comes from the ETag or the
 * listing's `hash`, except for static large objects, whose ETag is not the content's md5. The sha256 is
 * the one core computed, kept as object metadata.
 */
import type { ObjectInfo } from '@statestore/core';
import { metadataFromHeaders } from '@statestore/core/driver-kit';

/** The prefix of object metadata headers (write metadata). */
export const METADATA_PREFIX = 'x-object-meta-';
/** The metadata header holding the content's sha256 (hex). */
export const SHA256_HEADER = `${METADATA_PREFIX}statestore-sha256`;

/** A container listing entry (`format=json`). */
export interface ListingEntry {
  name?: string;
  subdir?: string;
  bytes?: number;
  hash?: string;
  last_modified?: string;
  content_type?: string;
  /** Present for static large object manifests: their ETag as HEAD reports it. */
  slo_etag?: string;
}

/** Headers as undici gives them. */
interface HeaderBag {
  get(name: string): string | null;
  entries(): IterableIterator<[string, string]>;
}

/** Info from object headers; `size` and `large` when the answer cannot tell (a PUT's answer). */
export function infoFromHeaders(key: string, headers: HeaderBag, known: { size?: number; large?: boolean } = {}): ObjectInfo {
  const etag = unquote(headers.get('etag') ?? '');
  const large = known.large ?? headers.get('x-static-large-object')?.toLowerCase() === 'true';
  const lastModified = headers.get('last-modified');
  const seconds = lastModified ? Math.round(Date.parse(lastModified) / 1000) : 0;
  const timestamp = Number(headers.get('x-timestamp'));
  const modified = Number.isFinite(timestamp) && timestamp > 0 ? new Date(timestamp * 1000) : lastModified ? new Date(lastModified) : undefined;
  const sha256 = headers.get(SHA256_HEADER)?.toLowerCase();
  const contentType = headers.get('content-type');
  return {
    key,
    size: known.size ?? totalSize(headers),
    version: `${etag}@${seconds}`,
    ...(modified ? { modified } : {}),
    hashes: { ...(!large && isMd5(etag) ? { md5: etag } : {}), ...(sha256 && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {}) },
    ...(contentType ? { contentType } : {}),
    ...metadataOf(headers),
  };
}

function metadataOf(headers: HeaderBag): { metadata?: Record<string, string> } {
  const metadata = metadataFromHeaders(headers as unknown as Headers, METADATA_PREFIX);
  return metadata ? { metadata } : {};
}

export function infoFromListing(entry: ListingEntry & { name: string }): ObjectInfo {
  const large = entry.slo_etag !== undefined;
  const etag = unquote(large ? entry.slo_etag! : (entry.hash ?? ''));
  const modified = entry.last_modified ? new Date(`${entry.last_modified.replace(/(\.\d{3})\d*$/, '$1')}Z`) : undefined;
  return {
    key: entry.name,
    size: entry.bytes ?? 0,
    version: `${etag}@${entry.last_modified ? ceilSeconds(entry.last_modified) : 0}`,
    ...(modified && !Number.isNaN(modified.getTime()) ? { modified } : {}),
    hashes: !large && isMd5(etag) ? { md5: etag } : {},
    ...(entry.content_type ? { contentType: entry.content_type } : {}),
  };
}

/** `2026-11-23T18:31:21.271170` → the epoch second Swift's Last-Modified shows for it (rounded up). */
function ceilSeconds(isoWithoutZone: string): number {
  const [whole, fraction = ''] = isoWithoutZone.split('.');
  const seconds = Date.parse(`${whole}Z`) / 1000;
  return /[1-9]/.test(fraction) ? seconds + 1 : seconds;
}

/** Size from Content-Range (`bytes 0-9/1234`) for partial answers, else Content-Length. */
function totalSize(headers: HeaderBag): number {
  const range = headers.get('content-range');
  const total = range ? /\/(\d+)$/.exec(range)?.[1] : undefined;
  return Number(total ?? headers.get('content-length') ?? 0);
}

function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1').toLowerCase();
}

function isMd5(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value);
}
