/**
 * conformance/portable owns the contract as users see it, through VfsPath: missing files, round trips,
 * keys and URLs, listings past one page, removal, atomic create and compare-and-swap, hashes and copies.
 * What VfsPath adds (pagination, de-duplication, filtering) is exercised here; what a driver returns on
 * its own is checked in driver.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { isAlreadyExists, isConflict, isInvalidUrl, isNotFound, isPreconditionFailed, isUnsupported } from '../errors/errors.js';
import { resolvePath } from '../resolve.js';
import { expectCode, parallel } from './expect-error.js';
import type { SuiteContext } from './suite-context.js';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** Registers the portable-layer tests. */
export function describePortable({ root, test, harness, options }: SuiteContext): void {
  const { largeFileBytes: large, manyFiles: many, writeConcurrency: concurrency } = options;
  describe('portable layer (VfsPath)', () => {
  describe('missing things', () => {
    test('reading a missing file is NotFound, naming the URL', async () => {
      const f = (await root()).join('missing.txt');
      const e = await expectCode(f.readFile(), isNotFound, 'NotFound');
      expect((e as Error).message).toContain(f.toString());
      await expectCode(f.stat(), isNotFound, 'NotFound');
      await expectCode(f.readStream().then((s) => s.toArray()), isNotFound, 'NotFound');
      expect(await f.exists()).toBe(false);
    });
    test('remove of a missing file and removeAll/readDir/readTree of an empty prefix succeed quietly', async () => {
      const r = await root();
      await r.join('nothing').remove();
      expect(await r.join('nothing-here').removeAll()).toBe(0);
      expect(await r.join('empty').readDir()).toEqual([]);
      expect(await r.join('empty').readTree()).toEqual([]);
    });
  });

  describe('round trips', () => {
    test('empty file', async () => {
      const f = (await root()).join('empty.bin');
      await f.writeFile(new Uint8Array(0));
      expect((await f.readFile()).byteLength).toBe(0);
      expect((await f.stat()).size).toBe(0);
      expect(await f.exists()).toBe(true);
    });
    test('one byte, and every byte value', async () => {
      const r = await root();
      await r.join('one').writeFile(new Uint8Array([7]));
      expect([...(await r.join('one').readFile())]).toEqual([7]);
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await r.join('all.bin').writeFile(all);
      expect(Buffer.compare(await r.join('all.bin').readFile(), all)).toBe(0);
    });
    test('strings are UTF-8; overwrite replaces', async () => {
      const f = (await root()).join('config');
      await f.writeFile('first ✓');
      await f.writeFile('second');
      expect(await f.readText()).toBe('second');
    });
    test(`large file (${large} bytes), written from a stream, read as a stream, hash matches`, async () => {
      const f = (await root()).join('large.bin');
      const chunk = Uint8Array.from({ length: 1024 * 1024 }, (_, i) => (i * 31 + 7) & 0xff);
      const chunks = Math.ceil(large / chunk.byteLength);
      const expected = createHash('sha256');
      async function* body() {
        for (let i = 0; i < chunks; i++) {
          const c = i === chunks - 1 ? chunk.subarray(0, large - i * chunk.byteLength) : chunk;
          expected.update(c);
          yield c;
        }
      }
      await f.writeFile(body());
      const digest = expected.digest('hex');
      const got = createHash('sha256');
      let size = 0;
      for await (const c of await f.readStream()) {
        got.update(c as Uint8Array);
        size += (c as Uint8Array).byteLength;
      }
      expect(size).toBe(large);
      expect(got.digest('hex')).toBe(digest);
      expect((await f.stat()).size).toBe(large);
      expect(await f.hash('sha256')).toBe(digest);
    });
    test('range reads where declared', async () => {
      const f = (await root()).join('range.txt');
      await f.writeFile('0123456789');
      const s = await f.readStream({ range: { start: 2, end: 5 } });
      const got = decode(Buffer.concat((await s.toArray()) as Uint8Array[]));
      if (f.backend.capabilities.rangeReads) expect(got).toBe('2345');
      else expect(got).toBe('0123456789');
    });
  });

  describe('keys and URLs', () => {
    const names = ['with space', 'ünïcødé-ключ-鍵', 'per%cent', 'plus+sign', 'hash#mark', 'question?mark', 'semi;colon,comma', "quote'd", 'a=b&c'];
    test('unusual keys round-trip, list, and survive toString → resolvePath', async () => {
      const r = await root();
      for (const n of names) await r.join('k', n).writeFile(n);
      const listed = (await r.join('k').readDir()).map((e) => e.name).sort();
      expect(listed).toEqual([...names].sort());
      for (const n of names) {
        const p = r.join('k', n);
        expect(await p.readText()).toBe(n);
        const again = await (harness().resolve ?? ((u: string) => resolvePath(u)))(p.toString());
        expect(again.toString()).toBe(p.toString());
        expect(again.key).toBe(p.key);
        expect(await again.readText()).toBe(n);
      }
    });
    test('join refuses to climb: "..", "." and NUL are InvalidUrl; empty segments collapse', async () => {
      const r = await root();
      expect(() => r.join('..')).toThrow();
      await expectCode(Promise.resolve().then(() => r.join('a/../../b')), isInvalidUrl, 'InvalidUrl');
      await expectCode(Promise.resolve().then(() => r.join('./a')), isInvalidUrl, 'InvalidUrl');
      await expectCode(Promise.resolve().then(() => r.join('a\0b')), isInvalidUrl, 'InvalidUrl');
      expect(r.join('a//b/').key).toBe(r.join('a', 'b').key);
      expect(r.join('a', 'b').base()).toBe('b');
      expect(r.join('a', 'b').parent()?.key).toBe(r.join('a').key);
    });
  });

  describe('listing', () => {
    test('readDir lists direct children, files and directories marked; readTree lists every file below', async () => {
      const r = await root();
      for (const k of ['config', 'instancegroup/nodes', 'instancegroup/master-a', 'pki/issued/ca/keyset.yaml', 'secrets/admin'])
        await r.join(k).writeFile(k);
      const dir = await r.readDir();
      expect(dir.map((e) => [e.name, e.isDirectory])).toEqual([
        ['config', false],
        ['instancegroup', true],
        ['pki', true],
        ['secrets', true],
      ]);
      expect(dir[1]!.path.toString()).toBe(r.join('instancegroup').toString());
      const tree = (await r.readTree()).map((p) => p.relativeTo(r)).sort();
      expect(tree).toEqual(['config', 'instancegroup/master-a', 'instancegroup/nodes', 'pki/issued/ca/keyset.yaml', 'secrets/admin']);
      const sub = (await r.join('instancegroup').readDir()).map((e) => e.name);
      expect(sub).toEqual(['master-a', 'nodes']);
      const subTree = (await r.join('pki').readTree()).map((p) => p.relativeTo(r));
      expect(subTree).toEqual(['pki/issued/ca/keyset.yaml']);
    });
    test(`listings past one page: ${many} files`, async () => {
      const r = await root();
      const keys = Array.from({ length: many }, (_, i) => `f${String(i).padStart(5, '0')}`);
      await parallel(keys, concurrency, async (k) => {
        await r.join('many', k).writeFile(k);
      });
      await r.join('many', 'sub', 'deep').writeFile('deep');
      const dir = await r.join('many').readDir();
      expect(dir.filter((e) => !e.isDirectory).map((e) => e.name)).toEqual(keys);
      expect(dir.filter((e) => e.isDirectory).map((e) => e.name)).toEqual(['sub']);
      const tree = await r.join('many').readTree();
      expect(tree.length).toBe(many + 1);
      expect(new Set(tree.map((p) => p.key)).size).toBe(many + 1);
      let walked = 0;
      for await (const p of r.join('many').walk()) {
        expect(p.listed?.size).toBeGreaterThan(0);
        walked++;
      }
      expect(walked).toBe(many + 1);
    });
    test('listed entries carry size and version', async () => {
      const r = await root();
      await r.join('a.txt').writeFile('hello');
      const [entry] = await r.readTree();
      expect(entry!.listed?.size).toBe(5);
      expect(typeof entry!.listed?.version).toBe('string');
    });
  });

  describe('removal', () => {
    test('removeAll removes the path and everything below, and nothing beside (a sibling foo2 survives)', async () => {
      const r = await root();
      for (const k of ['foo/a', 'foo/b/c', 'foo2/x', 'foo.bak', 'keep']) await r.join(k).writeFile(k);
      expect(await r.join('foo').removeAll()).toBe(2);
      const left = (await r.readTree()).map((p) => p.relativeTo(r)).sort();
      expect(left).toEqual(['foo.bak', 'foo2/x', 'keep']);
      expect((await r.readDir()).map((e) => [e.name, e.isDirectory])).toEqual([
        ['foo.bak', false],
        ['foo2', true],
        ['keep', false],
      ]);
    });
    test('removeAll on a file path removes that file', async () => {
      const r = await root();
      await r.join('single').writeFile('1');
      await r.join('single2').writeFile('2');
      expect(await r.join('single').removeAll()).toBe(1);
      expect((await r.readDir()).map((e) => e.name)).toEqual(['single2']);
    });
    test('remove deletes one file only', async () => {
      const r = await root();
      await r.join('x').writeFile('1');
      await r.join('x2').writeFile('2');
      await r.join('x').remove();
      expect(await r.join('x').exists()).toBe(false);
      expect(await r.join('x2').readText()).toBe('2');
    });
  });

  describe('atomicity', () => {
    test('createFile creates, then fails with AlreadyExists and leaves the content', async () => {
      const f = (await root()).join('cluster', 'config');
      await f.createFile('one');
      await expectCode(f.createFile('two'), isAlreadyExists, 'AlreadyExists');
      expect(await f.readText()).toBe('one');
    });
    test('16 concurrent createFile: exactly one wins where atomicCreate is declared', async () => {
      const f = (await root()).join('race');
      const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => f.createFile(`writer ${i}`)));
      const winners = results.filter((r) => r.status === 'fulfilled').length;
      for (const r of results) if (r.status === 'rejected') expect(isAlreadyExists(r.reason)).toBe(true);
      if ((await f.settledCapabilities()).atomicCreate) expect(winners).toBe(1);
      else expect(winners).toBeGreaterThanOrEqual(1);
      expect(await f.readText()).toMatch(/^writer \d+$/);
    });
    test('a stale compare-and-swap loses with PreconditionFailed (or is Unsupported where declared)', async () => {
      const f = (await root()).join('cas');
      const first = await f.writeFile('v1');
      const caps = await f.settledCapabilities();
      await f.writeFile('v2');
      const stale = f.backend.write(f.key, text('v3'), { ifMatch: first.version });
      if (caps.compareAndSwap) {
        await expectCode(stale, isPreconditionFailed, 'PreconditionFailed');
        expect(await f.readText()).toBe('v2');
        const current = await f.stat();
        await f.backend.write(f.key, text('v4'), { ifMatch: current.version });
        expect(await f.readText()).toBe('v4');
      } else {
        // A driver refuses a precondition it cannot honour instead of ignoring it.
        await expectCode(stale, isUnsupported, 'Unsupported (no compare-and-swap declared)');
        expect(await f.readText()).toBe('v2');
      }
    });
    test('updateFile under 16 concurrent writers keeps every update (compare-and-swap, else a lease)', async () => {
      const f = (await root()).join('counter.json');
      const update = (i: number) =>
        f.updateFile((current) => {
          const list: number[] = current ? JSON.parse(decode(current)) : [];
          return JSON.stringify([...list, i]);
        });
      await Promise.all(Array.from({ length: 16 }, (_, i) => update(i)));
      const final: number[] = JSON.parse(await f.readText());
      expect([...final].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
      expect(await f.parent()!.readDir().then((d) => d.map((e) => e.name))).toEqual(['counter.json']);
    });
    test('updateFile returning undefined leaves the file alone; a deadline gives Conflict', async () => {
      const f = (await root()).join('same');
      await f.writeFile('keep');
      const before = await f.stat();
      const caps = await f.settledCapabilities();
      await f.updateFile(() => undefined);
      expect((await f.stat()).version).toBe(before.version);
      if (caps.compareAndSwap) {
        let n = 0;
        const e = await expectCode(
          f.updateFile(async (cur) => {
            await f.writeFile(`interloper ${n++}`);
            return `${decode(cur!)}+`;
          }, { deadlineMs: 300 }),
          isConflict,
          'Conflict',
        );
        expect((e as Error).message).toContain(f.toString());
      }
    });
  });

  describe('hashes and copies', () => {
    test('hash matches content for md5 and sha256', async () => {
      const f = (await root()).join('h.txt');
      await f.writeFile('hash me');
      expect(await f.hash('md5')).toBe(createHash('md5').update('hash me').digest('hex'));
      expect(await f.hash('sha256')).toBe(createHash('sha256').update('hash me').digest('hex'));
      const [listed] = await f.parent()!.readTree();
      expect(await listed!.hash('md5')).toBe(createHash('md5').update('hash me').digest('hex'));
    });
    test('copyTo within the store and to memfs', async () => {
      const r = await root();
      await r.join('src').writeFile('copy me');
      await r.join('src').copyTo(r.join('dst', 'copy'));
      expect(await r.join('dst', 'copy').readText()).toBe('copy me');
      const target = `memfs://conformance-${randomUUID()}/copy`;
      await r.join('src').copyTo(target);
      expect(await (await resolvePath(target)).readText()).toBe('copy me');
    });
    test('stat reports size and a version that changes on write', async () => {
      const f = (await root()).join('v');
      const a = await f.writeFile('a');
      const b = await f.writeFile('bb');
      expect(a.version).not.toBe(b.version);
      expect((await f.stat()).size).toBe(2);
    });
  });
  });
}
