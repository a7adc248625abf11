/**
 * Server-side copies: CopyObject inside a bucket and between buckets on the same endpoint and credentials
 * (no bytes through the client), keys that need escaping in x-amz-copy-source, the SHA-256 metadata kept,
 * create-only copies, and a missing source named in the error.
 */
import { createHash } from 'node:crypto';
import { isAlreadyExists, isNotFound } from '@statestore/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRecordingProxy, type RecordingProxy } from '@statestore/testkit';
import { PROBE_PREFIX } from '../src/precondition-probe.js';
import { minio, newBucket, openS3 } from './helpers.js';

let proxy: RecordingProxy;
beforeAll(async () => {
  proxy = await startRecordingProxy(minio().endpoint);
});
afterAll(() => proxy.stop());

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

it('copies inside S3, across buckets too, without reading the bytes; awkward keys survive', async () => {
  const [a, b] = [await newBucket('copy-a'), await newBucket('copy-b')];
  const source = (await openS3(`s3://${a}/src`, { endpoint: proxy.endpoint })).join('dir with space', 'ünï+%#?.yaml');
  const target = (await openS3(`s3://${b}/dst`, { endpoint: proxy.endpoint })).join('copy of ünï+%#?');
  await source.writeFile('kind: Cluster');
  const stat = await source.copyTo(target);
  expect(await target.readText()).toBe('kind: Cluster');
  expect(stat.size).toBe('kind: Cluster'.length);
  expect(stat.hash).toBe(`sha256:${sha256('kind: Cluster')}`);
  expect((await target.statInfo())?.hashes?.sha256).toBe(sha256('kind: Cluster'));
  const copies = proxy.requests.filter((r) => r.method === 'PUT' && r.path.startsWith(`/${b}/dst/`) && !r.path.includes(PROBE_PREFIX) && r.headers['x-amz-copy-source'] !== undefined);
  expect(copies).toHaveLength(1);
  expect(proxy.requests.some((r) => r.method === 'GET' && r.path.startsWith(`/${a}/src/`))).toBe(false);
});

it('a create-only copy is atomic even though MinIO ignores If-None-Match on CopyObject: AlreadyExists onto an existing file', async () => {
  const bucket = await newBucket('copy-c');
  const root = await openS3(`s3://${bucket}/c`);
  await root.join('src').writeFile('new');
  await root.join('dst').writeFile('old');
  const exists = await root.join('src').copyTo(root.join('dst'), { ifNoneMatch: '*' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAlreadyExists(exists)).toBe(true);
  expect(await root.join('dst').readText()).toBe('old');
  // Onto a new name it is a create, keeping the SHA-256.
  await root.join('src').copyTo(root.join('fresh'), { ifNoneMatch: '*' });
  expect(await root.join('fresh').readText()).toBe('new');
  expect((await root.join('fresh').statInfo())?.hashes?.sha256).toBe(sha256('new'));
  const missing = await root.join('nope').copyTo(root.join('x')).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(isNotFound(missing)).toBe(true);
  expect(missing?.message).toContain(`s3://${bucket}/c/nope`);
});
