/**
 * ACLs: nothing is sent unless asked; a write's ACL (GCS or S3 spelling) or the store's default
 * (STATESTORE_GCS_ACL) goes as a predefined ACL, and fake-gcs-server applies it; buckets with uniform
 * bucket-level access get no ACL at all, decided by one cached look at the bucket. fake-gcs-server does not
 * model uniform access, so the recording proxy adds that setting to the bucket resource it returns.
 */
import { isInvalidConfig } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { startRecordingProxy, type RecordedRequest } from '@statestore/testkit';
import { emulator, memoryLogger, newBucket, openGs } from './helpers.js';

async function objectAcl(bucket: string, key: string): Promise<string[]> {
  const res = await fetch(`${emulator()}/storage/v1/b/${bucket}/o/${encodeURIComponent(key)}/acl`);
  const body = (await res.json()) as { items?: { entity: string; role: string }[] };
  return (body.items ?? []).map((r) => `${r.role}:${r.entity}`);
}

const aclParams = (requests: RecordedRequest[]) =>
  requests.flatMap((r) => [r.query.get('predefinedAcl'), r.query.get('destinationPredefinedAcl')]).filter((v) => v !== null);

describe('ACLs', () => {
  it('without an ACL nothing is sent and the object keeps the bucket default', async () => {
    const bucket = await newBucket('acl-none');
    const proxy = await startRecordingProxy(emulator());
    try {
      const f = await openGs(`gs://${bucket}/plain`, { host: proxy.endpoint });
      await f.writeFile('x');
      expect(aclParams(proxy.requests)).toEqual([]);
      expect(proxy.requests.some((r) => r.path === `/storage/v1/b/${bucket}`)).toBe(false);
      expect(await objectAcl(bucket, 'plain')).not.toContain('READER:allUsers');
    } finally {
      await proxy.stop();
    }
  });

  it("a write's ACL is sent as a predefined ACL (S3 spelling accepted) and applied", async () => {
    const bucket = await newBucket('acl-write');
    const proxy = await startRecordingProxy(emulator());
    try {
      const f = await openGs(`gs://${bucket}/public`, { host: proxy.endpoint });
      await f.writeFile('x', { acl: 'public-read' });
      expect(aclParams(proxy.requests)).toEqual(['publicRead']);
      expect(await objectAcl(bucket, 'public')).toContain('READER:allUsers');
      await expect(f.writeFile('y', { acl: 'world-writable' })).rejects.toSatisfy(isInvalidConfig);
      expect(await f.readText()).toBe('x');
    } finally {
      await proxy.stop();
    }
  });

  it('STATESTORE_GCS_ACL is the default for writes (single-request and resumable) and copies', async () => {
    const bucket = await newBucket('acl-default');
    const proxy = await startRecordingProxy(emulator());
    try {
      const open = (key: string) => openGs(`gs://${bucket}/${key}`, { host: proxy.endpoint, env: { STATESTORE_GCS_ACL: 'publicRead' } });
      await (await open('small')).writeFile('x');
      await (await open('large')).writeFile(new Uint8Array(9 * 1024 * 1024));
      await (await open('small')).copyTo(await open('copy'));
      expect(aclParams(proxy.requests)).toEqual(['publicRead', 'publicRead', 'publicRead']);
      expect(await objectAcl(bucket, 'small')).toContain('READER:allUsers');
      expect(await objectAcl(bucket, 'large')).toContain('READER:allUsers');
    } finally {
      await proxy.stop();
    }
  });

  it('buckets with uniform bucket-level access get no ACL; the bucket is looked at once; a notice says why', async () => {
    const bucket = await newBucket('acl-uniform');
    const proxy = await startRecordingProxy(emulator(), {
      rewrite: (request, response) => {
        if (request.method !== 'GET' || request.path !== `/storage/v1/b/${bucket}` || response.status !== 200) return undefined;
        const resource = { ...JSON.parse(response.body.toString('utf8')), iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } };
        return { ...response, body: Buffer.from(JSON.stringify(resource)) };
      },
    });
    const logger = memoryLogger();
    try {
      for (const key of ['a', 'b', 'c']) {
        const f = await openGs(`gs://${bucket}/${key}`, { host: proxy.endpoint, logger });
        await f.writeFile(key, { acl: 'publicRead' });
      }
      await (await openGs(`gs://${bucket}/a`, { host: proxy.endpoint, logger })).copyTo(await openGs(`gs://${bucket}/d`, { host: proxy.endpoint }), { acl: 'publicRead' });
      expect(aclParams(proxy.requests)).toEqual([]);
      expect(proxy.requests.filter((r) => r.method === 'GET' && r.path === `/storage/v1/b/${bucket}`)).toHaveLength(1);
      expect(await objectAcl(bucket, 'a')).not.toContain('READER:allUsers');
      expect(logger.lines).toEqual([expect.stringContaining('uniform bucket-level access')]);
    } finally {
      await proxy.stop();
    }
  });
});
