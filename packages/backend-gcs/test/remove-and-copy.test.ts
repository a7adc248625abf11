/**
 * Removing a missing object is quiet and immediate (kops retried that 404 five times); copies stay inside
 * Cloud Storage (the rewrite API), also between buckets, and carry the destination conditions.
 */
import { createHash } from 'node:crypto';
import { isNotFound } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { startRecordingProxy } from '@statestore/testkit';
import { emulator, newBucket, openGs } from './helpers.js';

describe('remove', () => {
  it('a missing object is removed quietly with exactly one request (no retry of the 404)', async () => {
    const bucket = await newBucket('remove');
    const proxy = await startRecordingProxy(emulator());
    try {
      const f = await openGs(`gs://${bucket}/never-written`, { host: proxy.endpoint });
      await f.remove();
      const first = proxy.requests.map((r) => `${r.method} ${r.path}`);
      // One DELETE, plus the one-time bucket check that tells a missing object from a missing bucket.
      expect(first).toEqual([`DELETE /storage/v1/b/${bucket}/o/never-written`, `GET /storage/v1/b/${bucket}`]);
      proxy.requests.length = 0;
      await f.remove();
      expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /storage/v1/b/${bucket}/o/never-written`]);
    } finally {
      await proxy.stop();
    }
  });

  it('in a missing bucket it is NotFound naming the bucket, also after exactly one DELETE', async () => {
    const proxy = await startRecordingProxy(emulator());
    try {
      const f = await openGs('gs://missing-bucket-remove/x', { host: proxy.endpoint });
      const e = await f.remove().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isNotFound(e)).toBe(true);
      expect((e as Error).message).toContain('Bucket missing-bucket-remove does not exist');
      expect(proxy.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  });
});

describe('server-side copy', () => {
  it('copyTo inside a bucket and across buckets uses rewrite, never downloads, and keeps the hashes', async () => {
    const [a, b] = [await newBucket('copy-a'), await newBucket('copy-b')];
    const proxy = await startRecordingProxy(emulator());
    try {
      const src = await openGs(`gs://${a}/src/config`, { host: proxy.endpoint });
      await src.writeFile('copy me');
      const sha256 = createHash('sha256').update('copy me').digest('hex');
      proxy.requests.length = 0;
      const inside = await openGs(`gs://${a}/dst/config`, { host: proxy.endpoint });
      const across = await openGs(`gs://${b}/dst/config`, { host: proxy.endpoint });
      await src.copyTo(inside);
      await src.copyTo(across);
      const rewrites = proxy.requests.filter((r) => r.method === 'POST').map((r) => r.path);
      expect(rewrites).toEqual([`/storage/v1/b/${a}/o/src%2Fconfig/rewriteTo/b/${a}/o/dst%2Fconfig`, `/storage/v1/b/${a}/o/src%2Fconfig/rewriteTo/b/${b}/o/dst%2Fconfig`]);
      expect(proxy.requests.filter((r) => r.query.get('alt') === 'media')).toEqual([]);
      for (const copy of [inside, across]) {
        expect(await copy.readText()).toBe('copy me');
        expect((await copy.stat()).hash).toBe(`sha256:${sha256}`);
      }
    } finally {
      await proxy.stop();
    }
  });

  it('a copy that must not overwrite asks for ifGenerationMatch=0; a missing source is NotFound', async () => {
    const bucket = await newBucket('copy-create');
    const proxy = await startRecordingProxy(emulator());
    try {
      const src = await openGs(`gs://${bucket}/src`, { host: proxy.endpoint });
      await src.writeFile('x');
      await src.copyTo(await openGs(`gs://${bucket}/dst`, { host: proxy.endpoint }), { ifNoneMatch: '*' });
      const rewrite = proxy.requests.find((r) => r.path.includes('/rewriteTo/'))!;
      expect(rewrite.query.get('ifGenerationMatch')).toBe('0');
      const missing = await openGs(`gs://${bucket}/nope`, { host: proxy.endpoint });
      await expect(missing.copyTo(await openGs(`gs://${bucket}/dst2`))).rejects.toSatisfy(isNotFound);
    } finally {
      await proxy.stop();
    }
  });
});
