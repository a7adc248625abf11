/**
 * S3-compatible endpoints against MinIO: S3_ENDPOINT with path-style addressing, S3_REGION as the signing
 * region (default us-east-1), and every flavour scheme (do, linode, hos, scw) working end to end and
 * printing its own scheme in URLs.
 */
import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { minio, newBucket, openS3 } from './helpers.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';

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
