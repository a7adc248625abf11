/**
 * The versions a versioned bucket keeps of one key (ListObjectVersions, GetBucketVersions in ali-oss), for
 * history: object versions and delete markers, newest first, as OSS lists them (the versions of one object by
 * creation time, newest first). A key whose only version is the `null` one (a bucket that never had versioning
 * on) has no kept versions.
 */
import type { ObjectVersion } from '@statestore/core';
import type { AliObjectVersion, AliOssClient } from './client.js';
import { urlDecode, versionOf } from './object-info.js';

const PAGE = 1000;

/** Every version of exactly `key`, newest first; [] when the bucket keeps none (versioning never on). */
export async function listObjectVersions(client: AliOssClient, key: string): Promise<ObjectVersion[]> {
  const found: ObjectVersion[] = [];
  const markers: Record<string, string> = {};
  for (;;) {
    // Keys come URL-encoded (encoding-type=url): a key may hold characters XML cannot carry.
    const page = await client.getBucketVersions({ prefix: key, 'max-keys': PAGE, 'encoding-type': 'url', ...markers });
    const entries = [...page.objects.map((entry) => toVersion(entry, false)), ...page.deleteMarker.map((entry) => toVersion(entry, true))];
    const names = [...page.objects, ...page.deleteMarker].map((e) => urlDecode(e.name));
    const mine = entries.filter((_, i) => names[i] === key);
    if (mine.length > 0) {
      const order = documentOrder(page.res.data);
      found.push(...mine.sort((a, b) => order(a.versionId) - order(b.versionId)));
    }
    // Past `key` (the listing is ordered by key): the rest belongs to longer keys with the same prefix.
    const passed = names.some((name) => name !== key);
    if (!page.isTruncated || passed || !page.nextKeyMarker) break;
    markers['key-marker'] = urlDecode(page.nextKeyMarker);
    markers['version-id-marker'] = page.nextVersionIdMarker ?? '';
  }
  if (found.every((v) => v.versionId === 'null')) return [];
  // The versions of one object come newest first: the first is the current one.
  return found.map((v, i) => ({ ...v, latest: i === 0 }));
}

/**
 * The position of each version id in the listing document. ali-oss returns versions and delete markers as two
 * lists (and drops IsLatest from markers), so the order between them — by creation time, which LastModified
 * gives only to the second — is read from the document itself.
 */
function documentOrder(body: Buffer | string | undefined): (versionId: string) => number {
  const ids = [...String(body ?? '').matchAll(/<(?:Version|DeleteMarker)>[\s\S]*?<VersionId>([^<]*)<\/VersionId>/g)].map((m) => m[1]!);
  if (ids.length === 0) throw new Error('ListObjectVersions answered without a listing document');
  return (versionId) => ids.indexOf(versionId);
}

function toVersion(entry: AliObjectVersion, deleted: boolean): ObjectVersion {
  const modified = entry.lastModified ? new Date(entry.lastModified) : undefined;
  const common = { versionId: entry.versionId, ...(modified ? { modified } : {}) };
  return deleted ? { ...common, deleted: true } : { ...common, size: Number(entry.size ?? 0), ...(entry.etag ? { version: versionOf(entry.etag) } : {}) };
}
