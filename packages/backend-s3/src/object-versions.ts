/**
 * The versions a versioned bucket keeps of one key (ListObjectVersions, GetObject with VersionId), for history:
 * object versions and delete markers, newest first. A key whose only version is the `null` one (a bucket that
 * never had versioning on) has no kept versions.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectVersion } from '@statestore/core';
import type { S3Sdk } from './sdk.js';

const PAGE = 1000;

/** Every version of exactly `key`, newest first; [] when the bucket keeps none (versioning never on). */
export async function listObjectVersions(client: S3Client, sdk: S3Sdk, bucket: string, key: string, signal?: AbortSignal): Promise<ObjectVersion[]> {
  const found: ObjectVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const out = await client.send(
      new sdk.ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: PAGE, ...(keyMarker ? { KeyMarker: keyMarker } : {}), ...(versionIdMarker ? { VersionIdMarker: versionIdMarker } : {}) }),
      { abortSignal: signal },
    );
    for (const v of out.Versions ?? []) {
      if (v.Key !== key || !v.VersionId) continue;
      found.push({ versionId: v.VersionId, ...(v.LastModified ? { modified: v.LastModified } : {}), size: v.Size ?? 0, ...(v.ETag ? { version: v.ETag } : {}), latest: v.IsLatest === true });
    }
    for (const m of out.DeleteMarkers ?? []) {
      if (m.Key !== key || !m.VersionId) continue;
      found.push({ versionId: m.VersionId, ...(m.LastModified ? { modified: m.LastModified } : {}), deleted: true, latest: m.IsLatest === true });
    }
    // Past `key` (the listing is ordered by key): the rest belongs to longer keys with the same prefix.
    const passed = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].some((v) => v.Key !== undefined && v.Key > key);
    if (!out.IsTruncated || passed) break;
    keyMarker = out.NextKeyMarker;
    versionIdMarker = out.NextVersionIdMarker;
  }
  if (found.every((v) => v.versionId === 'null')) return [];
  return found.sort((a, b) => Number(b.latest) - Number(a.latest) || (b.modified?.getTime() ?? 0) - (a.modified?.getTime() ?? 0));
}
