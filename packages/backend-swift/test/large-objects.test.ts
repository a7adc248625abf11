/**
 * Static large objects against the real Swift, with 1 MiB segments: what is stored (a manifest at the key,
 * segments in <container>_segments), reads of the whole object and of ranges across segments, hashes, and
 * the removal of segments when their object is overwritten, removed or removed with removeAll.
 */
import { createHash } from 'node:crypto';
import { isAlreadyExists } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { newContainer, openSwift, rawClient } from './helpers.js';

const MiB = 1024 * 1024;
const segmentSize = MiB;

function pattern(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 131 + seed) & 0xff);
}

async function* stream(bytes: Uint8Array, chunk = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += chunk) yield bytes.subarray(i, i + chunk);
}

async function segmentNames(container: string): Promise<string[]> {
  const client = rawClient();
  const res = await client.request({ container: `${container}_segments`, query: { format: 'json' } }, { method: 'GET' }, 'list');
  await client.close();
  if (res.status === 404) return [];
  return (JSON.parse(res.text) as { name: string }[]).map((e) => e.name);
}

async function head(container: string, key: string): Promise<{ get(name: string): string | null }> {
  const client = rawClient();
  const res = await client.request({ container, key }, { method: 'HEAD' }, 'stat');
  await client.close();
  return res.headers;
}

describe('static large objects', () => {
  it('a stream larger than a segment is stored as a manifest plus segments, and reads back whole', async () => {
    const container = newContainer('slo');
    const f = await openSwift(`swift://${container}/pki/big.bin`, undefined, { segmentSize });
    const data = pattern(3.5 * MiB, 1);
    const written = await f.writeFile(stream(data));
    expect(written.size).toBe(data.byteLength);
    expect((await head(container, 'pki/big.bin')).get('x-static-large-object')).toBe('True');
    const segments = await segmentNames(container);
    expect(segments).toHaveLength(4);
    for (const s of segments) expect(s).toMatch(/^pki\/big\.bin\/slo\/\d+\.\d+\/[0-9a-f]{8}\/0000000[0-3]$/);
    expect(Buffer.compare(await f.readFile(), data)).toBe(0);
    const range = await f.readStream({ range: { start: MiB - 3, end: MiB + 2 } });
    expect([...Buffer.concat((await range.toArray()) as Uint8Array[])]).toEqual([...data.subarray(MiB - 3, MiB + 3)]);
    expect((await f.stat()).size).toBe(data.byteLength);
    expect(await f.hash('sha256')).toBe(createHash('sha256').update(data).digest('hex'));
    const [listed] = await f.parent()!.readTree();
    expect(listed!.listed?.hashes?.md5).toBeUndefined();
    expect(await listed!.hash('md5')).toBe(createHash('md5').update(data).digest('hex'));
    expect((await f.parent()!.readDir()).map((e) => e.name)).toEqual(['big.bin']);
  });

  it('bytes larger than a segment are cut without a stream; overwriting keeps only the new segments', async () => {
    const container = newContainer('slo');
    const f = await openSwift(`swift://${container}/big`, undefined, { segmentSize });
    await f.writeFile(pattern(2.5 * MiB, 2));
    const before = await segmentNames(container);
    expect(before).toHaveLength(3);
    const data = pattern(2 * MiB + 1, 3);
    await f.writeFile(data);
    const after = await segmentNames(container);
    expect(after).toHaveLength(3);
    expect(after.filter((s) => before.includes(s))).toEqual([]);
    expect(Buffer.compare(await f.readFile(), data)).toBe(0);
  });

  it('remove and removeAll delete the segments too', async () => {
    const container = newContainer('slo');
    const root = await openSwift(`swift://${container}/`, undefined, { segmentSize });
    await root.join('one').writeFile(pattern(1.5 * MiB, 4));
    await root.join('tree/two').writeFile(pattern(1.5 * MiB, 5));
    await root.join('tree/sub/three').writeFile(pattern(1.5 * MiB, 6));
    await root.join('tree/small').writeFile('small');
    expect(await segmentNames(container)).toHaveLength(6);
    await root.join('one').remove();
    expect((await segmentNames(container)).some((s) => s.startsWith('one/'))).toBe(false);
    expect(await root.join('tree').removeAll()).toBe(3);
    expect(await segmentNames(container)).toEqual([]);
    expect(await root.readTree()).toEqual([]);
  });

  it('createFile of a large object over an existing file is AlreadyExists and uploads nothing', async () => {
    const container = newContainer('slo');
    const f = await openSwift(`swift://${container}/taken`, undefined, { segmentSize });
    await f.writeFile('small');
    await expect(f.createFile(pattern(2 * MiB, 7))).rejects.toSatisfy(isAlreadyExists);
    expect(await f.readText()).toBe('small');
    expect(await segmentNames(container)).toEqual([]);
  });

  it('copyTo copies a large object server-side into a whole object', async () => {
    const container = newContainer('slo');
    const root = await openSwift(`swift://${container}/`, undefined, { segmentSize });
    const data = pattern(1.5 * MiB, 8);
    await root.join('src').writeFile(data);
    await root.join('src').copyTo(root.join('dst'));
    expect(Buffer.compare(await root.join('dst').readFile(), data)).toBe(0);
    expect(await root.join('dst').hash('sha256')).toBe(createHash('sha256').update(data).digest('hex'));
  });
});
