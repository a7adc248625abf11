/**
 * Streamed writes: multipart uploads with bounded memory, no trace left when aborted or failed, never
 * retried, and create-only still honoured (If-None-Match on CompleteMultipartUpload).
 */
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { isAlreadyExists, isTransient } from '@statestore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingProxy, type RecordingProxy } from '@statestore/testkit';
import { minio, newBucket, openS3, rawClient } from './helpers.js';

const MIB = 1024 * 1024;
const PART = 5 * MIB;
const QUEUE = 2;
const options = { plugin: { multipartPartSize: PART, multipartQueueSize: QUEUE } };

// A full garbage collection on demand, to see which chunks an upload still holds.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** `total` bytes of a repeating pattern in 1 MiB chunks; `onPull` sees the running count. */
async function* pattern(total: number, onPull: (pulled: number) => void = () => undefined): AsyncGenerator<Uint8Array> {
  const chunk = Uint8Array.from({ length: MIB }, (_, i) => (i * 13 + 5) & 0xff);
  for (let sent = 0; sent < total; sent += MIB) {
    const c = chunk.subarray(0, Math.min(MIB, total - sent));
    onPull(sent + c.byteLength);
    yield c;
  }
}

function patternSha256(total: number): string {
  const h = createHash('sha256');
  const chunk = Uint8Array.from({ length: MIB }, (_, i) => (i * 13 + 5) & 0xff);
  for (let sent = 0; sent < total; sent += MIB) h.update(chunk.subarray(0, Math.min(MIB, total - sent)));
  return h.digest('hex');
}

async function pendingUploads(bucket: string): Promise<number> {
  return (await rawClient().send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.length ?? 0;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

let proxy: RecordingProxy;
let failingProxy: RecordingProxy;
beforeAll(async () => {
  proxy = await startRecordingProxy(minio().endpoint);
  // Fails the second part of every multipart upload with a 503 SlowDown.
  failingProxy = await startRecordingProxy(minio().endpoint, {
    rewrite: (request) =>
      request.method === 'PUT' && request.query.get('partNumber') === '2'
        ? { status: 503, headers: { 'content-type': 'application/xml' }, body: Buffer.from('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>') }
        : undefined,
  });
});
afterAll(async () => {
  await proxy.stop();
  await failingProxy.stop();
});

describe('multipart uploads of streams', () => {
  it('a 64 MiB stream is uploaded in parts while holding at most a few parts in memory', async () => {
    const bucket = await newBucket('multipart');
    const f = (await openS3(`s3://${bucket}/big`, { endpoint: proxy.endpoint, ...options })).join('blob.bin');
    const total = 64 * MIB;
    const start = proxy.bytesReceived();
    let maxAhead = 0;
    await f.writeFile(
      pattern(total, (pulled) => {
        maxAhead = Math.max(maxAhead, pulled - (proxy.bytesReceived() - start));
      }),
    );
    // Pulled from the source but not yet sent: the parts in flight, the one being filled, one chunk, and
    // what sits in two loopback socket buffers. Far below the 64 MiB an unbounded writer would hold.
    expect(maxAhead).toBeLessThanOrEqual((QUEUE + 2) * PART + 8 * MIB);
    const info = await f.statInfo();
    expect(info?.size).toBe(total);
    expect(info?.version).toMatch(/-13"$/); // 13 parts of 5 MiB
    expect(info?.hashes?.md5).toBeUndefined(); // a multipart ETag is not an MD5
    expect(await f.hash('sha256')).toBe(patternSha256(total));
    expect(proxy.requests.filter((r) => r.method === 'POST' && r.query.has('uploads') && r.path === `/${bucket}/big/blob.bin`)).toHaveLength(1);
    expect(await pendingUploads(bucket)).toBe(0);
  });

  it('chunks already sent are let go while the upload goes on', async () => {
    const bucket = await newBucket('release');
    const f = (await openS3(`s3://${bucket}/r`, options)).join('blob.bin');
    const total = 48 * MIB;
    const pulled: WeakRef<Uint8Array>[] = [];
    let mostHeld = 0;
    async function* freshChunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < total / MIB; i++) {
        collectGarbage();
        mostHeld = Math.max(mostHeld, pulled.filter((r) => r.deref() !== undefined).length);
        const chunk = new Uint8Array(MIB).fill(i & 0xff);
        pulled.push(new WeakRef(chunk));
        yield chunk;
      }
    }
    await f.writeFile(freshChunks());
    // At most the parts in flight, the one being filled and a chunk or two on the way (in 1 MiB chunks);
    // an upload that kept what it sent would hold all 48.
    expect(mostHeld).toBeLessThanOrEqual(((QUEUE + 2) * PART) / MIB + 2);
    expect((await f.statInfo())?.size).toBe(total);
  });

  it('a source that reuses one buffer for every chunk is stored as it was read (each chunk is copied into its part at once)', async () => {
    const bucket = await newBucket('reuse');
    const f = (await openS3(`s3://${bucket}/u`, options)).join('reused.bin');
    const chunks = 12;
    const shared = new Uint8Array(MIB);
    async function* reusing(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < chunks; i++) yield shared.fill(i + 1);
    }
    await f.writeFile(reusing());
    const expected = createHash('sha256');
    for (let i = 0; i < chunks; i++) expected.update(new Uint8Array(MIB).fill(i + 1));
    expect(await f.hash('sha256')).toBe(expected.digest('hex'));
  });

  it('a stream that fits in one part is a single PutObject', async () => {
    const bucket = await newBucket('single');
    const f = (await openS3(`s3://${bucket}/s`, { endpoint: proxy.endpoint, ...options })).join('small.bin');
    await f.writeFile(pattern(3 * MIB));
    expect(proxy.requests.some((r) => r.path === `/${bucket}/s/small.bin` && r.query.has('uploads'))).toBe(false);
    expect(await f.hash('sha256')).toBe(patternSha256(3 * MIB));
  });

  it('createFile from a stream over an existing file is AlreadyExists (If-None-Match on the completion)', async () => {
    const bucket = await newBucket('mpcreate');
    const f = (await openS3(`s3://${bucket}/c`, options)).join('config');
    await f.writeFile('already here');
    expect(isAlreadyExists(await rejection(f.createFile(pattern(12 * MIB))))).toBe(true);
    expect(await f.readText()).toBe('already here');
    expect(await pendingUploads(bucket)).toBe(0);
  });

  it('an aborted upload leaves no object and no pending multipart upload', async () => {
    const bucket = await newBucket('abort');
    const f = (await openS3(`s3://${bucket}/a`, options)).join('aborted.bin');
    const controller = new AbortController();
    const error = await rejection(
      f.writeFile(
        pattern(64 * MIB, (pulled) => {
          if (pulled === 16 * MIB) controller.abort();
        }),
        { signal: controller.signal },
      ),
    );
    expect((error as Error).message).toMatch(/abort/i);
    expect(controller.signal.aborted).toBe(true);
    expect(await f.exists()).toBe(false);
    expect(await pendingUploads(bucket)).toBe(0);
  });

  it('a failed part fails the write as Transient, aborts the upload, and is not retried', async () => {
    const bucket = await newBucket('failpart');
    const f = (await openS3(`s3://${bucket}/f`, { endpoint: failingProxy.endpoint, ...options })).join('fails.bin');
    const error = await rejection(f.writeFile(pattern(16 * MIB)));
    expect(isTransient(error)).toBe(true);
    expect((error as Error).message).toContain(f.toString());
    const mine = failingProxy.requests.filter((r) => r.path === `/${bucket}/f/fails.bin`);
    expect(mine.filter((r) => r.method === 'POST' && r.query.has('uploads'))).toHaveLength(1);
    expect(mine.filter((r) => r.method === 'DELETE' && r.query.has('uploadId'))).toHaveLength(1);
    expect(await f.exists()).toBe(false);
    expect(await pendingUploads(bucket)).toBe(0);
  });
});
