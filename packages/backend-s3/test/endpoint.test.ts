/**
 * S3-compatible endpoints against MinIO: S3_ENDPOINT with path-style addressing, S3_REGION as the signing
 * region (default us-east-1), and every flavour scheme (do, linode, hos, scw) working end to end and
 * printing its own scheme in URLs.
 */
import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startRecordingProxy, type RecordingProxy } from '@statestore/testkit';
import { minio, newBucket, openS3, rawClient } from './helpers.js';

let proxy: RecordingProxy;
beforeAll(async () => {
  proxy = await startRecordingProxy(minio().endpoint);
});
afterAll(() => proxy.stop());

const signingRegion = (authorization: string | undefined) => /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\/aws4_request/.exec(authorization ?? '')?.[1];

describe('S3_ENDPOINT', () => {
  it('uses path-style requests and signs for us-east-1 when S3_REGION is unset', async () => {
    const bucket = await newBucket('path');
    const root = await openS3(`s3://${bucket}/cluster`, { endpoint: proxy.endpoint });
    await root.join('config').writeFile('x');
    await root.readDir();
    const mine = proxy.requests.filter((r) => r.path.startsWith(`/${bucket}`));
    expect(mine.length).toBeGreaterThanOrEqual(2);
    for (const r of mine) {
      expect(r.headers.host).toBe(new URL(proxy.endpoint).host);
      expect(signingRegion(r.headers.authorization)).toBe('us-east-1');
    }
  });

  it('signs for S3_REGION when it is set', async () => {
    const bucket = await newBucket('region');
    const root = await openS3(`s3://${bucket}/c`, { endpoint: proxy.endpoint, env: { S3_REGION: 'eu-central-1' } });
    await root.join('f').writeFile('y');
    const mine = proxy.requests.filter((r) => r.path.startsWith(`/${bucket}`));
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) expect(signingRegion(r.headers.authorization)).toBe('eu-central-1');
  });
});

describe('listings', () => {
  it('page with max-keys set to the page size and continuation tokens; folder placeholders are not files', async () => {
    const bucket = await newBucket('pages');
    const root = await openS3(`s3://${bucket}/dir`, { endpoint: proxy.endpoint, listPageSize: 3 });
    for (let i = 0; i < 7; i++) await root.join(`f${i}`).writeFile(String(i));
    // A console-made folder placeholder: a zero-byte object whose key ends in "/".
    await rawClient().send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/folder/', Body: new Uint8Array(0) }));
    const before = proxy.requests.length;
    const tree = await root.readTree();
    expect(tree.map((p) => p.base())).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6']);
    const lists = proxy.requests.slice(before).filter((r) => r.query.get('list-type') === '2');
    expect(lists.map((r) => r.query.get('max-keys'))).toEqual(['3', '3', '3']);
    expect(lists.slice(1).every((r) => r.query.has('continuation-token'))).toBe(true);
    const dir = await root.readDir();
    expect(dir.filter((e) => e.isDirectory).map((e) => e.name)).toEqual(['folder']);
  });
});

describe('flavour schemes', () => {
  for (const scheme of ['do', 'linode', 'hos', 'scw']) {
    it(`${scheme}:// works against an S3-compatible endpoint and prints ${scheme}:// URLs`, async () => {
      const bucket = await newBucket(scheme);
      const root = await openS3(`${scheme}://${bucket}/cluster`);
      await root.join('instancegroup', 'nodes').writeFile('kind: InstanceGroup');
      await root.join('config').createFile('kind: Cluster');
      expect(await root.join('config').readText()).toBe('kind: Cluster');
      const dir = await root.readDir();
      expect(dir.map((e) => [e.name, e.isDirectory])).toEqual([
        ['config', false],
        ['instancegroup', true],
      ]);
      expect(dir[1]!.path.toString()).toBe(`${scheme}://${bucket}/cluster/instancegroup`);
      expect(root.join('config').toString()).toBe(`${scheme}://${bucket}/cluster/config`);
      expect(await root.removeAll()).toBe(2);
    });
  }
});
