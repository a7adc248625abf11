/**
 * Error mapping: S3 errors become core's typed errors whose messages name the URL, the bucket and the
 * IAM action and say what to do, never a credential. Live against MinIO where MinIO can produce the
 * error (missing bucket, wrong secret, refused connection, a stalled server), through a proxy for the
 * answers MinIO gives only to other accounts (AccessDenied, SlowDown, per-key delete errors), and as a
 * table over the SDK's own exception class for the rest.
 */
import net from 'node:net';
import { inspect } from 'node:util';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { isAlreadyExists, isInvalidConfig, isNotFound, isPermissionDenied, isPreconditionFailed, isTransient, registerSecret } from '@statestore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRecordingProxy, type RecordingProxy } from '@statestore/testkit';
import { mapS3Error } from '../src/errors.js';
import { minio, newBucket, openS3 } from './helpers.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

const xmlError = (code: string, message: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
const fastRetry = { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } };

describe('against MinIO', () => {
  let proxy: RecordingProxy;
  beforeAll(async () => {
    proxy = await startRecordingProxy(minio().endpoint, {
      rewrite: (request, response) => {
        if (request.path.endsWith('/denied')) return { status: 403, headers: { 'content-type': 'application/xml' }, body: xmlError('AccessDenied', 'Access Denied.') };
        if (request.path.endsWith('/throttled')) return { status: 503, headers: { 'content-type': 'application/xml' }, body: xmlError('SlowDown', 'Please reduce your request rate.') };
        if (request.method === 'POST' && request.query.has('delete')) {
          // One key of every batch delete fails, as S3 reports it: an <Error> element in a 200 answer.
          return {
            ...response,
            body: Buffer.from(
              '<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Error><Key>tree/locked</Key><Code>AccessDenied</Code><Message>Access Denied.</Message></Error></DeleteResult>',
            ),
          };
        }
        return undefined;
      },
    });
  });
  afterAll(() => proxy.stop());

  it('a missing bucket is NotFound naming the bucket, for reads and listings', async () => {
    const missing = `no-such-bucket-${Date.now()}`;
    const root = await openS3(`s3://${missing}/cluster`);
    for (const op of [() => root.join('config').readFile(), () => root.readDir()]) {
      const e = await rejection(op());
      expect(isNotFound(e)).toBe(true);
      expect(e.message).toContain(`Bucket ${missing} does not exist`);
    }
  });

  it('a wrong secret is PermissionDenied naming the bucket and action, and the secret never appears', async () => {
    const bucket = await newBucket('creds');
    const secret = 'definitely-the-wrong-secret-4242';
    const root = await openS3(`s3://${bucket}/x`, { env: { S3_SECRET_ACCESS_KEY: secret } });
    const e = await rejection(root.join('f').writeFile('x'));
    // Nor in a logged backend (its settings are private fields).
    expect(inspect(root.backend, { depth: 8 })).not.toContain(secret);
    expect(JSON.stringify(root.backend)).not.toContain(secret);
    expect(isPermissionDenied(e)).toBe(true);
    expect(e.message).toContain('s3:PutObject');
    expect(e.message).toContain(`s3://${bucket}/x/`);
    expect(e.message).not.toContain(secret);
    expect(JSON.stringify(e)).not.toContain(secret);
  });

  it('AccessDenied is PermissionDenied naming the bucket and the action to allow', async () => {
    const bucket = await newBucket('denied');
    const f = (await openS3(`s3://${bucket}/p`, { endpoint: proxy.endpoint })).join('denied');
    const e = await rejection(f.readFile());
    expect(isPermissionDenied(e)).toBe(true);
    expect(e.message).toContain(`s3:GetObject on bucket ${bucket}`);
    expect(e.message).toContain(`arn:aws:s3:::${bucket}/*`);
    const put = await rejection(f.writeFile('x', { acl: 'bucket-owner-full-control' }));
    expect(put.message).toContain('s3:PutObject and s3:PutObjectAcl');
  });

  it('SlowDown is Transient; the SDK does not retry on its own, core does', async () => {
    const bucket = await newBucket('slow');
    const f = (await openS3(`s3://${bucket}/p`, { endpoint: proxy.endpoint, ...fastRetry })).join('throttled');
    const e = await rejection(f.readFile());
    expect(isTransient(e)).toBe(true);
    expect(e.message).toContain('SlowDown');
    expect(proxy.requests.filter((r) => r.method === 'GET' && r.path === `/${bucket}/p/throttled`)).toHaveLength(3);
  });

  it('a refused connection is Transient after core’s retries', async () => {
    const port = await freePort();
    const e = await rejection((await openS3('s3://any-bucket/p', { endpoint: `http://127.0.0.1:${port}`, ...fastRetry })).join('f').readFile());
    expect(isTransient(e)).toBe(true);
    expect(e.message).toMatch(/gave up after 3 attempts/);
  });

  it('a server that stops answering is a Transient timeout (STATESTORE_TIMEOUT)', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const root = await openS3('s3://any-bucket/p', { endpoint: `http://127.0.0.1:${port}`, env: { STATESTORE_TIMEOUT: '1' }, retry: { maxAttempts: 1 } });
      const e = await rejection(root.join('f').readFile());
      expect(isTransient(e)).toBe(true);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('removeAll sends DeleteObjects with Content-MD5 and reports every per-key error', async () => {
    const bucket = await newBucket('many');
    const root = await openS3(`s3://${bucket}/tree`, { endpoint: proxy.endpoint });
    for (const k of ['a', 'b/c', 'locked']) await root.join(k).writeFile(k);
    const e = await rejection(root.removeAll());
    expect(e.message).toContain(`s3://${bucket}/tree/locked`);
    expect(e.message).toMatch(/1 of 3 files could not be removed/);
    expect(e.message).toContain('s3:DeleteObject');
    const deletes = proxy.requests.filter((r) => r.method === 'POST' && r.query.has('delete') && r.path.startsWith(`/${bucket}`));
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.headers['content-md5']).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(Object.keys(deletes[0]!.headers).filter((h) => h.startsWith('x-amz-checksum-'))).toEqual([]);
    // The driver's own answer: the keys that went, and a typed error for the one that did not.
    await root.join('again').writeFile('again');
    const result = await root.backend.deleteMany!(['tree/again', 'tree/locked']);
    expect(result.deleted).toEqual(['tree/again']);
    expect(result.errors.map((f) => f.key)).toEqual(['tree/locked']);
    expect(isPermissionDenied(result.errors[0]!.error)).toBe(true);
  });
});

describe('the mapping table', () => {
  const ctx = { url: 's3://bucket/key', bucket: 'bucket', endpoint: 'https://s3.eu-west-1.amazonaws.com', action: 's3:GetObject' };
  const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: `${name} happened` }), extra);

  it.each([
    ['SlowDown', 503],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['RequestTimeout', 400],
    ['ConditionalRequestConflict', 409],
    ['TooManyRequestsException', 429],
  ])('%s (HTTP %i) is Transient', (name, status) => {
    expect(isTransient(mapS3Error(sdkError(name, status), ctx))).toBe(true);
  });

  it('RequestTimeTooSkewed: Transient once the client signs with the server time (a retry succeeds), else a clock to set right; never "Permission denied"', () => {
    const corrected = mapS3Error(Object.assign(sdkError('RequestTimeTooSkewed', 403), { $metadata: { httpStatusCode: 403, clockSkewCorrected: true } }), ctx);
    expect(isTransient(corrected)).toBe(true);
    const uncorrected = mapS3Error(sdkError('RequestTimeTooSkewed', 403), ctx);
    expect(isInvalidConfig(uncorrected)).toBe(true);
    for (const e of [corrected, uncorrected]) {
      expect(e.message).toContain("this machine's clock is more than 15 minutes off the clock of https://s3.eu-west-1.amazonaws.com");
      expect(e.message).not.toContain('Permission denied');
    }
  });

  it('network resets and timeouts are Transient', () => {
    expect(isTransient(mapS3Error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), ctx))).toBe(true);
    expect(isTransient(mapS3Error(Object.assign(new Error('timed out'), { name: 'TimeoutError' }), ctx))).toBe(true);
    expect(isTransient(mapS3Error(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), ctx))).toBe(true);
  });

  it('NoSuchKey is NotFound naming the URL; NoSuchBucket names the bucket', () => {
    const key = mapS3Error(sdkError('NoSuchKey', 404), ctx);
    expect(isNotFound(key) && key.message.includes('s3://bucket/key')).toBe(true);
    const bucket = mapS3Error(sdkError('NoSuchBucket', 404), ctx);
    expect(isNotFound(bucket) && bucket.message.includes('Bucket bucket does not exist')).toBe(true);
  });

  it('412 is AlreadyExists for a create, PreconditionFailed for a compare-and-swap; 404 on If-Match is PreconditionFailed', () => {
    expect(isAlreadyExists(mapS3Error(sdkError('PreconditionFailed', 412), { ...ctx, ifNoneMatch: true }))).toBe(true);
    expect(isPreconditionFailed(mapS3Error(sdkError('PreconditionFailed', 412), { ...ctx, ifMatch: true }))).toBe(true);
    expect(isPreconditionFailed(mapS3Error(sdkError('NoSuchKey', 404), { ...ctx, ifMatch: true }))).toBe(true);
  });

  it('403s are PermissionDenied: AccessDenied names bucket and action, bad keys point at the credentials', () => {
    const denied = mapS3Error(sdkError('AccessDenied', 403), ctx);
    expect(isPermissionDenied(denied)).toBe(true);
    expect(denied.message).toContain('s3:GetObject on bucket bucket');
    const badKey = mapS3Error(sdkError('InvalidAccessKeyId', 403), ctx);
    expect(isPermissionDenied(badKey) && badKey.message.includes('credentials were refused')).toBe(true);
  });

  it('a wrong region is InvalidConfig naming the bucket’s region', () => {
    const e = mapS3Error(sdkError('PermanentRedirect', 301, { $response: { headers: { 'x-amz-bucket-region': 'ap-south-1' } } }), ctx);
    expect(isInvalidConfig(e)).toBe(true);
    expect(e.message).toContain('AWS_REGION=ap-south-1');
  });

  it('secrets in SDK messages are redacted; user aborts pass through untouched', () => {
    registerSecret('SECRETSECRETSECRET');
    const e = mapS3Error(Object.assign(sdkError('WeirdError', 400), { message: 'echoing SECRETSECRETSECRET back' }), ctx);
    expect(e.message).not.toContain('SECRETSECRETSECRET');
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(mapS3Error(abort, ctx)).toBe(abort);
  });
});
