/**
 * Listings specific to Cloud Storage: readDir at the bucket root (kops used the prefix "/" there and listed
 * nothing), folder placeholders made by the console or other tools (`x/`) are never files, page size and
 * delimiter reach the service, and a missing bucket is an error that names the bucket.
 */
import { isNotFound, type VfsPath } from '@statestore/core';
import { unwrapBackend } from '@statestore/core/driver-kit';
import { describe, expect, it } from 'vitest';
import { startRecordingProxy } from '@statestore/testkit';
import type { GcsBackend } from '../src/index.js';
import { emulator, newBucket, openGs } from './helpers.js';

const entries = async (p: VfsPath) => (await p.readDir()).map((e) => [e.name, e.isDirectory]);

describe('listing', () => {
  it('readDir at the bucket root lists its files and directories; readTree there lists every file', async () => {
    const bucket = await newBucket('root');
    const root = await openGs(`gs://${bucket}`);
    expect(root.toString()).toBe(`gs://${bucket}/`);
    await root.join('config').writeFile('c');
    await root.join('cluster-a', 'config').writeFile('a');
    await root.join('cluster-a', 'instancegroup', 'nodes').writeFile('n');
    expect(await entries(root)).toEqual([
      ['cluster-a', true],
      ['config', false],
    ]);
    expect((await root.readTree()).map((p) => p.key).sort()).toEqual(['cluster-a/config', 'cluster-a/instancegroup/nodes', 'config']);
  });

  it('folder placeholders (zero-byte "x/" objects) are not files', async () => {
    const bucket = await newBucket('placeholders');
    const root = await openGs(`gs://${bucket}`);
    // Made the way other tools make them: through the driver itself (core's layers refuse a key ending in "/").
    const backend = unwrapBackend(root.backend) as GcsBackend;
    for (const placeholder of ['x/', 'x/sub/', 'empty/']) await backend.write(placeholder, new Uint8Array(0));
    await root.join('x', 'file').writeFile('f');
    await root.join('x', 'sub', 'deep').writeFile('d');
    expect(await entries(root.join('x'))).toEqual([
      ['file', false],
      ['sub', true],
    ]);
    expect((await root.join('x').readTree()).map((p) => p.key)).toEqual(['x/file', 'x/sub/deep']);
    expect(await root.join('empty').readTree()).toEqual([]);
    expect(await entries(root.join('empty'))).toEqual([]);
    // The placeholder keeps its folder visible one level up, as the console shows it, but never as a file.
    expect(await entries(root)).toEqual([
      ['empty', true],
      ['x', true],
    ]);
  });

  it('sends the page size (capped at 1,000) and the delimiter, and follows page tokens', async () => {
    const bucket = await newBucket('pages');
    const proxy = await startRecordingProxy(emulator());
    try {
      const dir = await openGs(`gs://${bucket}/d`, { host: proxy.endpoint });
      for (const k of ['a', 'b', 'c', 'd', 'e', 'sub/x']) await dir.join(k).writeFile(k);
      const backend = dir.backend;
      const seen: string[] = [];
      const prefixes = new Set<string>();
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const page = await backend.list('d/', { delimiter: '/', pageSize: 2, ...(pageToken ? { pageToken } : {}) });
        expect(page.objects.length).toBeLessThanOrEqual(2);
        seen.push(...page.objects.map((o) => o.key));
        for (const p of page.prefixes) prefixes.add(p);
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken);
      expect(seen).toEqual(['d/a', 'd/b', 'd/c', 'd/d', 'd/e']);
      expect([...prefixes]).toEqual(['d/sub/']);
      expect(pages).toBe(3);
      await backend.list('d/', { pageSize: 5_000 });
      const lists = proxy.requests.filter((r) => r.method === 'GET' && r.path === `/storage/v1/b/${bucket}/o`);
      expect(lists[0]!.query.get('maxResults')).toBe('2');
      expect(lists[0]!.query.get('delimiter')).toBe('/');
      expect(lists[0]!.query.get('prefix')).toBe('d/');
      expect(lists.at(-1)!.query.get('maxResults')).toBe('1000');
      expect(lists.at(-1)!.query.has('delimiter')).toBe(false);
    } finally {
      await proxy.stop();
    }
  });

  it('a missing bucket is NotFound naming the bucket, for listing, reading, stat, writing and removing', async () => {
    const bucket = 'no-such-bucket-statestore';
    const f = await openGs(`gs://${bucket}/cluster/config`);
    const dir = await openGs(`gs://${bucket}/cluster`);
    for (const [what, op] of [
      ['readDir', () => dir.readDir()],
      ['readTree', () => dir.readTree()],
      ['readFile', () => f.readFile()],
      ['stat', () => f.stat()],
      ['exists', () => f.exists()],
      ['writeFile', () => f.writeFile('x')],
      ['createFile', () => f.createFile('x')],
      ['remove', () => f.remove()],
    ] as const) {
      const e = await (op as () => Promise<unknown>)().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isNotFound(e), `${what}: ${String(e)}`).toBe(true);
      expect((e as Error).message, what).toContain(`Bucket ${bucket} does not exist`);
    }
    // The driver's own listing says it too.
    await expect(f.backend.list('', {})).rejects.toThrow(`Bucket ${bucket} does not exist`);
  });
});
