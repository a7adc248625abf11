/** sync() between different services, each a real server: file → MinIO, MinIO → fake-gcs-server, MinIO → MinIO. */
import { describe, expect, it } from 'vitest';
import { resolvePath, sync } from '@statestore/core';
import { mixedFiles, newGcsBucket, newS3Bucket, open, tempDir, treeHashes, writeTree } from './helpers.js';

describe('sync across backends', () => {
  it('file → MinIO: identical by hash; a rerun copies nothing', async () => {
    const src = await resolvePath(`${tempDir('src')}/tree`);
    await writeTree(src, mixedFiles(40));
    const dst = await open(`s3://${await newS3Bucket()}/copy`);
    const first = await sync(src, dst);
    expect(first.errors).toEqual([]);
    expect(first.copied).toBe(43);
    expect(first.serverSideCopy).toBe(false);
    expect(await treeHashes(dst)).toEqual(await treeHashes(src));

    const second = await sync(src, dst);
    expect(second).toMatchObject({ copied: 0, skipped: 43, errors: [] });
    // the local disk reports no hash, so equal-size pairs need a fallback; it is named in the summary
    expect(second.fallbacks.length).toBeGreaterThan(0);
  });

  it('MinIO → fake-gcs-server: identical by hash; a rerun compares by the listings’ MD5s', async () => {
    const bucket = await newS3Bucket();
    const src = await open(`s3://${bucket}/state`);
    await writeTree(src, mixedFiles(40));
    const dst = await open(`gs://${await newGcsBucket()}/state`);
    const first = await sync(src, dst);
    expect(first.errors).toEqual([]);
    expect(await treeHashes(dst)).toEqual(await treeHashes(src));

    const second = await sync(src, dst);
    expect(second).toMatchObject({ copied: 0, skipped: 43, errors: [] });
    // single-part S3 ETags are MD5s, GCS lists MD5s: no request per file for those
    expect(second.comparisons['listing-hash']).toBeGreaterThanOrEqual(42);
  });

  it('MinIO → MinIO copies inside the service, and --delete removes only after a clean copy phase', async () => {
    const src = await open(`s3://${await newS3Bucket()}/a`);
    const dst = await open(`s3://${await newS3Bucket()}/b`);
    await writeTree(src, mixedFiles(20));
    await writeTree(dst, { stale: 'old', 'dir0/file-0': 'different' });
    const summary = await sync(src, dst, { delete: true });
    expect(summary).toMatchObject({ serverSideCopy: true, deleted: 1, errors: [] });
    expect(await treeHashes(dst)).toEqual(await treeHashes(src));
  });
});
