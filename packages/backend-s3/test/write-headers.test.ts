/**
 * What every write carries, checked on the wire through a recording proxy in front of MinIO and in what
 * MinIO stored: KOPS_STATE_S3_ACL as the canned ACL, and core's SHA-256 in user metadata. Server-side
 * encryption has its own file (sse.test.ts).
 */
import { createHash } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingProxy, type RecordingProxy } from '@statestore/testkit';
import { minio, newBucket, openS3, rawClient } from './helpers.js';

let proxy: RecordingProxy;
beforeAll(async () => {
  proxy = await startRecordingProxy(minio().endpoint);
});
afterAll(() => proxy.stop());

/** The PUT requests that reached `key` (at least one, or the test fails). */
function writesTo(bucket: string, key: string) {
  const sent = proxy.requests.filter((r) => r.method === 'PUT' && r.path === `/${bucket}/${key}`);
  expect(sent.length, `requests for ${key}`).toBeGreaterThan(0);
  return sent;
}
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('KOPS_STATE_S3_ACL', () => {
  it('is the canned ACL of every write, overriding a per-write ACL; unset means no ACL header', async () => {
    const bucket = await newBucket('acl');
    const withAcl = await openS3(`s3://${bucket}/c`, { endpoint: proxy.endpoint, env: { KOPS_STATE_S3_ACL: 'bucket-owner-full-control' } });
    await withAcl.join('a').writeFile('a');
    await withAcl.join('b').writeFile('b', { acl: 'public-read' });
    await withAcl.join('a').copyTo(withAcl.join('copied'));
    for (const key of ['c/a', 'c/b', 'c/copied']) {
      for (const r of writesTo(bucket, key)) expect(r.headers['x-amz-acl']).toBe('bucket-owner-full-control');
    }
    const plain = await openS3(`s3://${bucket}/d`, { endpoint: proxy.endpoint });
    await plain.join('x').writeFile('x');
    await plain.join('y').writeFile('y', { acl: 'private' });
    expect(writesTo(bucket, 'd/x').every((r) => r.headers['x-amz-acl'] === undefined)).toBe(true);
    expect(writesTo(bucket, 'd/y').every((r) => r.headers['x-amz-acl'] === 'private')).toBe(true);
  });
});

describe('hashes', () => {
  it('core’s SHA-256 is stored in x-amz-meta-statestore-sha256 and reported by stat; MD5 comes from a single-part ETag', async () => {
    const bucket = await newBucket('hash');
    const f = (await openS3(`s3://${bucket}/h`)).join('file.txt');
    await f.writeFile('hash me');
    const head = await rawClient().send(new HeadObjectCommand({ Bucket: bucket, Key: 'h/file.txt' }));
    expect(head.Metadata?.['statestore-sha256']).toBe(sha256('hash me'));
    const info = await f.statInfo();
    expect(info?.hashes).toEqual({ sha256: sha256('hash me'), md5: createHash('md5').update('hash me').digest('hex') });
    expect((await f.stat()).hash).toBe(`sha256:${sha256('hash me')}`);
  });
});
