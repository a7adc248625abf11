/**
 * What is specific to OSS, through ali-oss against the testkit server: a wrong secret is refused (and a 403 is
 * never taken for "absent"), exactly one of 16 concurrent creators wins, compare-and-swap is refused rather than
 * ignored, versioned buckets are detected and declared, ACLs, the stored SHA-256, readDir at the bucket root,
 * V1 signatures, and the region from the ECS metadata service.
 */
import { randomUUID, createHash } from 'node:crypto';
import { isAlreadyExists, isPermissionDenied, isUnsupported, pathForBackend, settledCapabilities } from '@statestore/core';
import { startEcsMetadataServer, KeyRing } from '@statestore/testkit/oss-server';
import { beforeAll, describe, expect, it } from 'vitest';
import { aliClient, memoryLogger, newBucket, openOss, ossServer } from './helpers.js';

let bucket: string;
beforeAll(async () => {
  bucket = await newBucket('specific');
});
const root = () => openOss(`oss://${bucket}/t-${randomUUID()}`);

describe('request signatures', () => {
  it('a wrong secret is rejected: PermissionDenied naming the URL and the variable to check (V4 and V1)', async () => {
    for (const signatureVersion of [4, 1]) {
      const f = (await openOss(`oss://${bucket}/secret-${signatureVersion}`, { env: { ALIYUN_ACCESS_KEY_SECRET: 'not-the-secret' }, plugin: { signatureVersion } })).join('x');
      const e = await f.writeFile('x').catch((error: unknown) => error);
      expect(isPermissionDenied(e), String(e)).toBe(true);
      expect((e as Error).message).toContain(f.toString());
      expect((e as Error).message).toContain('ALIYUN_ACCESS_KEY_SECRET');
      expect((e as Error).message).toContain('SignatureDoesNotMatch');
      expect((e as Error).message).not.toContain('not-the-secret');
    }
  });

  it('a 403 is never "absent": stat, exists, readDir and createFile all fail with PermissionDenied', async () => {
    const good = await root();
    await good.join('present').writeFile('here');
    const bad = await openOss(good.join('present').toString(), { env: { ALIYUN_ACCESS_KEY_SECRET: 'wrong' } });
    await expect(bad.stat()).rejects.toSatisfy(isPermissionDenied);
    await expect(bad.exists()).rejects.toSatisfy(isPermissionDenied);
    await expect(bad.parent()!.readDir()).rejects.toSatisfy(isPermissionDenied);
    await expect(bad.createFile('overwrite?')).rejects.toSatisfy(isPermissionDenied);
    expect(await good.join('present').readText()).toBe('here');
  });

  it('V1 (HMAC-SHA1) signing works end to end, as V4 does', async () => {
    const f = (await openOss(`oss://${bucket}/v1-${randomUUID()}`, { plugin: { signatureVersion: 1 }, listPageSize: 2 })).join('dir', 'ünï cødé+%.txt');
    await f.writeFile('signed with V1');
    expect(await f.readText()).toBe('signed with V1');
    await f.parent()!.join('b').writeFile('b');
    await f.parent()!.join('c').writeFile('c');
    expect((await f.parent()!.readDir()).map((e) => e.name)).toEqual(['b', 'c', 'ünï cødé+%.txt']);
  });
});

describe('creation and updates', () => {
  it('16 concurrent createFile: exactly one winner, 15 AlreadyExists, the winner\'s bytes stored', async () => {
    const f = (await root()).join('race');
    expect((await settledCapabilities(f.backend)).atomicCreate).toBe(true);
    const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => f.createFile(`writer ${i}`)));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && isAlreadyExists(r.reason))).toHaveLength(15);
    expect(await f.readText()).toBe(`writer ${winners[0]}`);
  });

  it('compare-and-swap is declared absent and refused, not ignored; updateFile works through the lock', async () => {
    const f = (await root()).join('cas');
    const caps = f.backend.capabilities;
    expect([caps.compareAndSwap, caps.conditionalDelete]).toEqual([false, false]);
    expect(caps.notes?.join(' ')).toContain('If-Match');
    const v1 = await f.writeFile('v1');
    await expect(f.backend.write(f.key, new TextEncoder().encode('v2'), { ifMatch: v1.version })).rejects.toSatisfy(isUnsupported);
    await expect(f.remove({ ifMatch: v1.version })).rejects.toSatisfy(isUnsupported);
    await f.updateFile((cur) => `${new TextDecoder().decode(cur!)}+1`);
    expect(await f.readText()).toBe('v1+1');
  });
});

describe('versioned buckets', () => {
  it('are detected with GetBucketVersioning and declared: no atomic create, a note saying why', async () => {
    const versioned = await newBucket('versioned');
    await aliClient(ossServer()).putBucketVersioning(versioned, 'Enabled');
    const logger = memoryLogger();
    const r = await openOss(`oss://${versioned}/v-${randomUUID()}`, { logger });
    const caps = await settledCapabilities(r.backend);
    expect(Object.isFrozen(caps)).toBe(true);
    expect(caps.atomicCreate).toBe(false);
    expect(caps.versions).toBe(true);
    expect(caps.notes?.join(' ')).toContain('versioning Enabled');
    // Creation still refuses an existing file (check, then write); updateFile takes its lock by the candidate
    // protocol (no atomic operation is left), and concurrent increments all land.
    await r.join('made').createFile('1');
    await expect(r.join('made').createFile('2')).rejects.toSatisfy(isAlreadyExists);
    const counter = r.join('counter');
    await Promise.all(Array.from({ length: 8 }, () => counter.updateFile((cur) => String(Number(cur ? new TextDecoder().decode(cur) : '0') + 1))));
    expect(await counter.readText()).toBe('8');
  });

  it('the first create settles the versioning before it writes: never assumed atomic, never silently weaker', async () => {
    const versioned = await newBucket('versioned2');
    await aliClient(ossServer()).putBucketVersioning(versioned, 'Suspended');
    const f = await openOss(`oss://${versioned}/first-op`);
    expect(f.backend.capabilities.atomicCreate).toBe(false); // not known yet: the safe value
    await f.createFile('x');
    expect(f.backend.capabilities.atomicCreate).toBe(false);
    await expect(f.createFile('y')).rejects.toSatisfy(isAlreadyExists);
    await expect(f.backend.write(f.key, new TextEncoder().encode('z'), { ifNoneMatch: '*' })).rejects.toSatisfy(isUnsupported);
    expect(await f.readText()).toBe('x');
  });
});

describe('object settings', () => {
  it('objects are private by default; the store option and a write can set another ACL', async () => {
    const r = await root();
    const client = aliClient(ossServer(), bucket);
    await r.join('default').writeFile('x');
    expect((await client.getACL(r.join('default').key)).acl).toBe('private');
    await r.join('asked').writeFile('x', { acl: 'public-read' });
    expect((await client.getACL(r.join('asked').key)).acl).toBe('public-read');
    const store = await openOss(r.toString(), { plugin: { acl: 'default' } });
    await store.join('store-default').writeFile('x');
    expect((await client.getACL(r.join('store-default').key)).acl).toBe('default');
  });

  it("core's SHA-256 is stored as x-oss-meta-sha256 and reported by stat; MD5 comes from the service", async () => {
    const f = (await root()).join('hashed');
    const content = 'hash me';
    const sha256 = createHash('sha256').update(content).digest('hex');
    const written = await f.writeFile(content);
    expect(written.hash).toBe(`sha256:${sha256}`);
    const head = await aliClient(ossServer(), bucket).head(f.key);
    expect(head.meta).toEqual({ sha256, 'statestore-write': written.writeId });
    expect((await f.stat()).hash).toBe(`sha256:${sha256}`);
    const info = await f.statInfo();
    expect(info?.hashes).toEqual({ sha256, md5: createHash('md5').update(content).digest('hex') });
  });

  it('readDir at the bucket root lists the top level (kops listed nothing there)', async () => {
    const own = await newBucket('rootdir');
    const b = await openOss(`oss://${own}`);
    for (const k of ['config', 'cluster-a/config', 'cluster-b/instancegroup/nodes']) await b.join(k).writeFile(k);
    expect((await b.readDir()).map((e) => [e.name, e.isDirectory])).toEqual([
      ['cluster-a', true],
      ['cluster-b', true],
      ['config', false],
    ]);
    expect((await b.readTree()).length).toBe(3);
    expect(b.toString()).toBe(`oss://${own}/`);
  });

  it('a missing bucket is NotFound naming it, for reads and listings', async () => {
    const f = await openOss(`oss://no-such-bucket-${randomUUID().slice(0, 8)}/x`);
    await expect(f.readDir()).rejects.toThrow(/does not exist/);
    await expect(f.writeFile('x')).rejects.toThrow(/Bucket no-such-bucket-.* does not exist/);
  });
});

describe('region from the ECS metadata service', () => {
  it('is used when OSS_REGION is unset and the endpoint names none', async () => {
    const metadata = await startEcsMetadataServer({ keys: new KeyRing(), regionId: ossServer().region });
    try {
      const f = await openOss(`oss://${bucket}/region-${randomUUID()}`, { env: { OSS_REGION: '', STATESTORE_ECS_METADATA_ENDPOINT: metadata.endpoint } });
      await f.writeFile('signed for the metadata region');
      expect(await f.readText()).toBe('signed for the metadata region');
    } finally {
      await metadata.close();
    }
  });

  it('a wrong metadata region signs for the wrong region, which the service refuses', async () => {
    const metadata = await startEcsMetadataServer({ keys: new KeyRing(), regionId: 'cn-elsewhere' });
    try {
      const f = await openOss(`oss://${bucket}/region-${randomUUID()}`, { env: { OSS_REGION: '', STATESTORE_ECS_METADATA_ENDPOINT: metadata.endpoint } });
      await expect(f.writeFile('x')).rejects.toSatisfy(isPermissionDenied);
    } finally {
      await metadata.close();
    }
  });
});

describe('driver details', () => {
  it('list honours the page size (max-keys) and continues with the token', async () => {
    const r = await root();
    for (const k of ['a', 'b', 'c', 'd', 'e']) await r.join(k).writeFile(k);
    const backend = r.backend;
    const first = await backend.list(`${r.key}/`, { pageSize: 2 });
    expect(first.objects.map((o) => o.key.slice(r.key.length + 1))).toEqual(['a', 'b']);
    expect(first.nextPageToken).toBeTruthy();
    const second = await backend.list(`${r.key}/`, { pageSize: 2, pageToken: first.nextPageToken! });
    expect(second.objects.map((o) => o.key.slice(r.key.length + 1))).toEqual(['c', 'd']);
    const direct = pathForBackend(backend, r.key);
    expect((await direct.readTree()).length).toBe(5);
  });
});
