/**
 * Uploads and hashes: small bodies go up in one request with their MD5 declared (the server refuses a
 * mismatch), large or unsized ones as resumable uploads; streams both ways; md5 and crc32c as the service
 * reports them, plus the SHA-256 Statestore keeps in custom metadata, the same in stat, listings and reads.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startRecordingProxy } from '@statestore/testkit';
import { SHA256_METADATA_KEY } from '../src/index.js';
import { emulator, newBucket, openGs } from './helpers.js';

const md5 = (data: Uint8Array | string) => createHash('md5').update(data).digest('hex');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

async function* chunks(total: number, size = 256 * 1024): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += size) yield Uint8Array.from({ length: Math.min(size, total - sent) }, (_, i) => (sent + i) % 251);
}

describe('uploads', () => {
  it('small bytes: one request with the MD5 declared; 9 MiB bytes and unsized streams: resumable', async () => {
    const bucket = await newBucket('uploads');
    const proxy = await startRecordingProxy(emulator());
    try {
      const dir = await openGs(`gs://${bucket}/u`, { host: proxy.endpoint });
      const large = Uint8Array.from({ length: 9 * 1024 * 1024 }, (_, i) => (i * 7) % 256);
      await dir.join('small').writeFile('small body');
      await dir.join('large').writeFile(large);
      await dir.join('streamed').writeFile(chunks(3 * 1024 * 1024 + 17));
      const uploads = proxy.requests.filter((r) => r.method === 'POST').map((r) => [r.query.get('name'), r.query.get('uploadType')]);
      expect(uploads).toEqual([
        ['u/small', 'multipart'],
        ['u/large', 'resumable'],
        ['u/streamed', 'resumable'],
      ]);
      expect(Buffer.compare(await dir.join('large').readFile(), large)).toBe(0);
      expect((await dir.join('large').stat()).size).toBe(large.byteLength);
      let streamed = 0;
      const digest = createHash('md5');
      for await (const c of await dir.join('streamed').readStream()) {
        streamed += (c as Buffer).byteLength;
        digest.update(c as Buffer);
      }
      expect(streamed).toBe(3 * 1024 * 1024 + 17);
      const expected = createHash('md5');
      for await (const c of chunks(3 * 1024 * 1024 + 17)) expected.update(c);
      const expectedMd5 = expected.digest('hex');
      expect(digest.digest('hex')).toBe(expectedMd5);
      expect(await dir.join('streamed').hash('md5')).toBe(expectedMd5);
    } finally {
      await proxy.stop();
    }
  });
});

describe('streams', () => {
  it('an aborted read stops with the abort reason, not a retryable error', async () => {
    const bucket = await newBucket('abort');
    const f = await openGs(`gs://${bucket}/big`);
    await f.writeFile(chunks(8 * 1024 * 1024));
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const stream = await f.readStream({ signal: controller.signal });
    let received = 0;
    const consumed = (async () => {
      for await (const c of stream) {
        received += (c as Buffer).byteLength;
        controller.abort(reason);
      }
    })();
    await expect(consumed).rejects.toBe(reason);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('hashes', () => {
  it('md5 and crc32c as reported, sha256 from custom metadata: equal in stat, listing and read', async () => {
    const bucket = await newBucket('hashes');
    const f = await openGs(`gs://${bucket}/check`);
    await f.writeFile('123456789');
    const expected = { md5: md5('123456789'), crc32c: 'e3069283', sha256: sha256('123456789') }; // e3069283: the CRC-32C check value
    expect((await f.statInfo())?.hashes).toEqual(expected);
    const [listed] = await (await openGs(`gs://${bucket}`)).readTree();
    expect(listed!.listed?.hashes).toEqual(expected);
    expect((await f.backend.read(f.key)).info.hashes).toEqual(expected);
    expect((await f.stat()).hash).toBe(`sha256:${expected.sha256}`);
    const raw = (await (await fetch(`${emulator()}/storage/v1/b/${bucket}/o/check`)).json()) as { metadata?: Record<string, string> };
    expect(raw.metadata?.[SHA256_METADATA_KEY]).toBe(expected.sha256);
  });

  it('a streamed write reports md5 and crc32c but no sha256 (it was not known up front); hash("sha256") still answers', async () => {
    const bucket = await newBucket('stream-hash');
    const f = await openGs(`gs://${bucket}/streamed`);
    await f.writeFile(chunks(1000));
    let all = Buffer.alloc(0);
    for await (const c of chunks(1000)) all = Buffer.concat([all, c]);
    const info = await f.statInfo();
    expect(info?.hashes?.md5).toBe(md5(all));
    expect(info?.hashes?.crc32c).toMatch(/^[0-9a-f]{8}$/);
    expect(info?.hashes?.sha256).toBeUndefined();
    expect(await f.hash('sha256')).toBe(sha256(all));
  });
});
