/**
 * Streams are written with bounded memory: a multipart upload whose parts reach the server while the stream is
 * still being produced, never the whole object buffered first; create-only streams keep forbid-overwrite; a
 * failed stream leaves no upload behind. This file runs its own server so it can look at uploads in progress.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isAlreadyExists } from '@statestore/core';
import { startOssServer, type OssServer } from '@statestore/testkit/oss-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_PART_SIZE } from '../src/index.js';
import { openOss } from './helpers.js';

let server: OssServer;
const bucket = 'multipart-bucket';
const partSize = MIN_PART_SIZE;

beforeAll(async () => {
  server = await startOssServer({ buckets: [bucket] });
});
afterAll(async () => {
  await server?.close();
});

const open = (key: string) => openOss(`oss://${bucket}/${key}`, { server, plugin: { partSize } });

/** Bytes of all parts the server holds for uploads in progress. */
function bytesInUploads(): number {
  let total = 0;
  for (const upload of server.store.bucket(bucket).uploads.values()) for (const part of upload.parts.values()) total += part.data.byteLength;
  return total;
}

describe('streaming writes', () => {
  it('go up part by part while the stream is produced, and read back whole', async () => {
    const f = await open(`stream-${randomUUID()}`);
    const chunk = Buffer.alloc(16 * 1024, 3);
    const chunks = 64; // 1 MiB in 16 KiB chunks: ten full parts and a short one
    const produced: number[] = [];
    const uploadedWhenProduced: number[] = [];
    const expected = createHash('sha256');
    async function* body() {
      for (let i = 0; i < chunks; i++) {
        produced.push((i + 1) * chunk.byteLength);
        uploadedWhenProduced.push(bytesInUploads());
        expected.update(chunk);
        yield chunk;
      }
    }
    await f.writeFile(body());
    // Whenever a chunk was produced, all but about two parts of what came before had already been uploaded.
    for (let i = 0; i < chunks; i++) expect(produced[i]! - uploadedWhenProduced[i]!).toBeLessThanOrEqual(2 * partSize + chunk.byteLength);
    expect(Math.max(...uploadedWhenProduced)).toBeGreaterThan(5 * partSize);
    const stored = server.store.bucket(bucket).objects.get(f.key)!;
    expect(stored.type).toBe('Multipart');
    expect(stored.etag).toMatch(/-11"$/);
    expect(server.store.bucket(bucket).uploads.size).toBe(0);
    expect(await f.hash('sha256')).toBe(expected.digest('hex'));
    expect((await f.stat()).size).toBe(chunks * chunk.byteLength);
  });

  it('a stream shorter than one part is a single PutObject', async () => {
    const f = await open(`short-${randomUUID()}`);
    async function* body() {
      yield Buffer.from('short ');
      yield Buffer.from('stream');
    }
    await f.writeFile(body());
    expect(server.store.bucket(bucket).objects.get(f.key)!.type).toBe('Normal');
    expect(await f.readText()).toBe('short stream');
  });

  it('a stream of exactly one part, and of exactly two, come out whole', async () => {
    for (const parts of [1, 2]) {
      const f = await open(`exact-${parts}-${randomUUID()}`);
      const data = Buffer.alloc(parts * partSize, parts);
      async function* body() {
        yield data.subarray(0, 1000);
        yield data.subarray(1000);
      }
      await f.writeFile(body());
      expect(Buffer.compare(Buffer.from(await f.readFile()), data)).toBe(0);
    }
  });

  it('create-only streaming writes refuse an existing object, before and after uploading', async () => {
    const f = await open(`create-${randomUUID()}`);
    const big = () =>
      (async function* () {
        for (let i = 0; i < 3; i++) yield Buffer.alloc(partSize, i);
      })();
    await f.createFile(big());
    await expect(f.createFile(big())).rejects.toSatisfy(isAlreadyExists);
    expect(server.store.bucket(bucket).uploads.size).toBe(0);
  });

  it('a stream that fails midway leaves no upload and no object behind', async () => {
    const f = await open(`broken-${randomUUID()}`);
    async function* body() {
      yield Buffer.alloc(partSize * 2, 1);
      throw new Error('producer failed');
    }
    await expect(f.writeFile(body())).rejects.toThrow(/producer failed/);
    expect(server.store.bucket(bucket).uploads.size).toBe(0);
    expect(await f.exists()).toBe(false);
  });
});
