/**
 * What every write carries, checked on the wire through a recording proxy in front of MinIO and in what
 * MinIO stored: KOPS_STATE_S3_ACL as the canned ACL, SSE AES256 on s3:// unless the bucket encrypts by
 * default (checked once per bucket), none on the flavours, and core's SHA-256 in user metadata.
 */
import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minio, newBucket, openS3, rawClient } from './helpers.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';

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

describe('server-side encryption', () => {
  it('s3:// sends AES256 when the bucket has no default encryption, and asks the bucket only once', async () => {
    const bucket = await newBucket('sse');
    const before = proxy.requests.filter((r) => r.path === `/${bucket}/` && r.query.has('encryption')).length;
    const a = await openS3(`s3://${bucket}/p`, { endpoint: proxy.endpoint });
    await a.join('one').writeFile('1');
    await a.join('two').writeFile('2');
    const b = await openS3(`s3://${bucket}/q`, { endpoint: proxy.endpoint });
    await b.join('three').writeFile('3');
    for (const key of ['p/one', 'p/two', 'q/three']) {
      for (const r of writesTo(bucket, key)) expect(r.headers['x-amz-server-side-encryption']).toBe('AES256');
    }
    const stored = await rawClient().send(new HeadObjectCommand({ Bucket: bucket, Key: 'p/one' }));
    expect(stored.ServerSideEncryption).toBe('AES256');
    const checks = proxy.requests.filter((r) => r.path.replace(/\/$/, '') === `/${bucket}` && r.query.has('encryption')).length - before;
    expect(checks).toBe(1);
  });

  it('s3:// sends no SSE header when the bucket encrypts by default (SSE-KMS), and then trusts no ETag as MD5', async () => {
    const bucket = await newBucket('ssekms');
    await rawClient().send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: minio().kmsKeyName } }] },
      }),
    );
    const root = await openS3(`s3://${bucket}/k`, { endpoint: proxy.endpoint });
    const stat = await root.join('f').writeFile('encrypted by default');
    for (const r of writesTo(bucket, 'k/f')) expect(r.headers['x-amz-server-side-encryption']).toBeUndefined();
    const stored = await rawClient().send(new HeadObjectCommand({ Bucket: bucket, Key: 'k/f' }));
    expect(stored.ServerSideEncryption).toBe('aws:kms');
    // A KMS ETag is not the MD5: only the stored SHA-256 is reported, and md5 is computed from the bytes.
    expect(stat.hash).toBe(`sha256:${sha256('encrypted by default')}`);
    const [listed] = await root.readTree();
    expect(listed!.listed?.hashes?.md5).toBeUndefined();
    expect(await root.join('f').hash('md5')).toBe(createHash('md5').update('encrypted by default').digest('hex'));
  });

  it('the flavours (do://) send no SSE header, as kops does', async () => {
    const bucket = await newBucket('flavour-sse');
    const root = await openS3(`do://${bucket}/d`, { endpoint: proxy.endpoint });
    await root.join('f').writeFile('plain');
    for (const r of writesTo(bucket, 'd/f')) expect(r.headers['x-amz-server-side-encryption']).toBeUndefined();
    expect(proxy.requests.some((r) => r.path.startsWith(`/${bucket}`) && r.query.has('encryption'))).toBe(false);
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
