/**
 * conformance/driver owns the driver-level contract, in the manner of go-cloud's drivertest: every test
 * calls the `Backend` directly (as resolvePath hands it out, behind core's layers), forces its own page
 * sizes, and checks what a driver returns before VfsPath could sort, filter or retry it: frozen
 * capabilities, refused keys, aborted writes, pages, ordering, keys that are both file and prefix, odd and
 * long keys, ranges, versions and preconditions, the versions a service keeps (listVersions, readVersion),
 * copies, content type and write metadata, batch deletes, aborts, missing stores and "directories". The
 * capability decides the expectation; nothing is skipped.
 */
import { describe, expect } from 'vitest';
import type { Backend, Capabilities, ListOptions, ListPage, ObjectInfo } from '../backend/backend.js';
import { isAlreadyExists, isConflict, isInvalidUrl, isNotFound, isPreconditionFailed, isUnsupported } from '../errors/errors.js';
import { collect } from '../path/body.js';
import { dirPrefix, isInternalKey, joinKey } from '../url/keys.js';
import { expectCode, parallel } from './expect-error.js';
import type { SuiteContext } from './suite-context.js';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** Every boolean a driver must declare. */
const BOOLEAN_CAPABILITIES = [
  'atomicCreate',
  'compareAndSwap',
  'conditionalDelete',
  'versions',
  'writeMetadata',
  'acl',
  'serverSideCopy',
  'streaming',
  'rangeReads',
  'contentType',
  'fileAndPrefix',
] as const satisfies readonly (keyof Capabilities)[];

interface Listing {
  keys: string[];
  prefixes: string[];
  pages: ListPage[];
}

/** Every page of one listing (core's own temporary objects left out), following tokens from `pageToken`. */
async function listAll(backend: Backend, prefix: string, options: Omit<ListOptions, 'signal'> = {}): Promise<Listing> {
  const pages: ListPage[] = [];
  let pageToken = options.pageToken;
  do {
    const page = await backend.list(prefix, { ...options, ...(pageToken !== undefined ? { pageToken } : {}) });
    pages.push({ ...page, objects: page.objects.filter((o) => !isInternalKey(o.key)) });
    pageToken = page.nextPageToken;
    if (pages.length > 10_000) throw new Error(`the listing of ${backend.urlFor(prefix)} never ends (page tokens keep coming)`);
  } while (pageToken !== undefined);
  return { keys: pages.flatMap((p) => p.objects.map((o) => o.key)), prefixes: pages.flatMap((p) => p.prefixes), pages };
}

/** A page's entries (files and prefixes) in key order. */
function entriesOf(page: ListPage): string[] {
  return [...page.objects.map((o) => o.key), ...page.prefixes].sort();
}

async function readText(backend: Backend, key: string): Promise<string> {
  const { body } = await backend.read(key);
  return decode(await collect(body));
}

/** Fails unless `promise` rejects with the abort: the signal's reason, or an AbortError. */
async function expectAborted(promise: Promise<unknown>, reason: unknown, what: string): Promise<void> {
  try {
    await promise;
  } catch (e) {
    if (e === reason || (e as Error)?.name === 'AbortError' || (e as Error)?.cause === reason) return;
    throw new Error(`${what}: expected the abort (its reason or an AbortError), got ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
  throw new Error(`${what}: expected the abort, but the operation succeeded`);
}

/** `start` (ending in `/`) extended to exactly `total` UTF-8 bytes with segments of at most 200 bytes. */
function keyOfBytes(start: string, total: number): string {
  let key = start;
  for (let left = total - Buffer.byteLength(key); left > 0; left = total - Buffer.byteLength(key)) {
    key += left > 200 ? `${'k'.repeat(199)}/` : 'k'.repeat(left);
  }
  return key;
}

/** Registers the driver-level tests. */
export function describeDriver({ root, test, harness }: SuiteContext): void {
  describe('driver (Backend called directly)', () => {
    test('capabilities are frozen facts, and once settled `capabilities` is that same object', async () => {
      const r = await root();
      const b = r.backend;
      expect(Object.isFrozen(b.capabilities), 'capabilities before settling').toBe(true);
      const settled = await r.settledCapabilities();
      expect(Object.isFrozen(settled)).toBe(true);
      expect(Object.isFrozen(settled.hashes)).toBe(true);
      expect(b.capabilities).toBe(settled);
      for (const name of BOOLEAN_CAPABILITIES) expect(typeof settled[name], `capabilities.${name}`).toBe('boolean');
    });

    test('keys that are not normalised are refused (InvalidUrl) before any request, and nothing is stored', async () => {
      const r = await root();
      const b = r.backend;
      for (const bad of ['a//b', 'a/', '/a', 'a/./b', 'a/../b', '..', 'a\0b']) {
        const key = `${r.key}/${bad}`;
        const what = JSON.stringify(bad);
        await expectCode(b.write(key, text('x')), isInvalidUrl, `InvalidUrl writing ${what}`);
        await expectCode(b.stat(key), isInvalidUrl, `InvalidUrl for stat of ${what}`);
        await expectCode(b.read(key), isInvalidUrl, `InvalidUrl reading ${what}`);
        await expectCode(b.delete(key), isInvalidUrl, `InvalidUrl removing ${what}`);
      }
      await expectCode(b.list(`${r.key}/a`), isInvalidUrl, 'InvalidUrl for a list prefix without its trailing /');
      await expectCode(b.list(`${r.key}//`), isInvalidUrl, 'InvalidUrl for a list prefix with an empty segment');
      const left = await listAll(b, dirPrefix(r.key));
      expect(left.keys).toEqual([]);
      expect(left.prefixes).toEqual([]);
    });

    test('an aborted streamed write leaves no trace: aborted while its source waits, and once every byte was read', async () => {
      const r = await root();
      const b = r.backend;
      const chunk = new Uint8Array(64 * 1024).fill(7);
      const reason = new Error('conformance: write aborted on purpose');

      const waiting = `${r.key}/aborted-while-waiting`;
      const controller = new AbortController();
      let release = () => undefined as void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let taken = () => undefined as void;
      const firstTaken = new Promise<void>((resolve) => (taken = resolve));
      async function* stalling(): AsyncGenerator<Uint8Array> {
        yield chunk;
        taken();
        await released;
      }
      const writing = b.write(waiting, stalling(), { signal: controller.signal });
      writing.catch(() => undefined);
      await firstTaken;
      controller.abort(reason);
      try {
        await expectAborted(writing, reason, 'a write whose source waits, aborted');
      } finally {
        release();
      }

      const whole = `${r.key}/aborted-after-the-last-byte`;
      const late = new AbortController();
      async function* thenAbort(): AsyncGenerator<Uint8Array> {
        yield chunk;
        yield chunk;
        late.abort(reason);
      }
      await expectAborted(b.write(whole, thenAbort(), { signal: late.signal }), reason, 'a write aborted once its source had ended');

      expect(await b.stat(waiting)).toBeUndefined();
      expect(await b.stat(whole)).toBeUndefined();
      expect((await listAll(b, dirPrefix(r.key))).keys).toEqual([]);
    });

    test('pages of explicit sizes: every key once and in order, full pages until the last, and the listing ends', async () => {
      const r = await root();
      const b = r.backend;
      const prefix = dirPrefix(r.key);
      const names = Array.from({ length: 11 }, (_, i) => `p${String(i).padStart(2, '0')}`);
      const files = [...names, 'sub/x', 'sub/y'].map((n) => prefix + n);
      await parallel(files, 8, async (key) => {
        await b.write(key, text(key));
      });
      for (const pageSize of [1, 2, 5, files.length, 1000]) {
        const all = await listAll(b, prefix, { pageSize });
        expect(all.keys, `pageSize ${pageSize}`).toEqual(files);
        expect(all.prefixes).toEqual([]);
        // A service may learn that nothing is left only by asking once more: one empty last page is allowed.
        const sizes = all.pages.map((p) => p.objects.length);
        if (sizes.length > 1 && sizes.at(-1) === 0) sizes.pop();
        expect(sizes, `pageSize ${pageSize}: files per page`).toEqual(
          Array.from({ length: Math.ceil(files.length / pageSize) }, (_, i) => Math.min(pageSize, files.length - i * pageSize)),
        );
      }
      for (const pageSize of [1, 3, names.length + 1, 1000]) {
        const all = await listAll(b, prefix, { delimiter: '/', pageSize });
        expect(all.keys, `delimiter, pageSize ${pageSize}`).toEqual(names.map((n) => prefix + n));
        // A prefix may come again on a later page (core lists each directory once); never a new one out of order.
        expect([...new Set(all.prefixes)]).toEqual([`${prefix}sub/`]);
        for (const page of all.pages) expect(page.objects.length + page.prefixes.length).toBeLessThanOrEqual(pageSize);
      }
    });

    test('a page token resumes after its key: files added before it and removed behind it change nothing ahead', async () => {
      const r = await root();
      const b = r.backend;
      const prefix = dirPrefix(r.key);
      const files = Array.from({ length: 9 }, (_, i) => `${prefix}c${i}`);
      await parallel(files, 8, async (key) => {
        await b.write(key, text(key));
      });
      const first = await b.list(prefix, { pageSize: 3 });
      expect(first.objects.map((o) => o.key)).toEqual(files.slice(0, 3));
      expect(first.nextPageToken).toBeDefined();
      await b.write(`${prefix}a-first`, text('sorts before every listed key'));
      await b.delete(files[1]!);
      const second = await b.list(prefix, { pageSize: 3, pageToken: first.nextPageToken! });
      expect(second.objects.map((o) => o.key)).toEqual(files.slice(3, 6));
      const rest = await listAll(b, prefix, { pageSize: 3, ...(second.nextPageToken !== undefined ? { pageToken: second.nextPageToken } : {}) });
      expect(second.nextPageToken === undefined ? [] : rest.keys).toEqual(files.slice(6));
    });

    test('order around the delimiter: d-1, then d/, then d0, one entry per page', async () => {
      const r = await root();
      const b = r.backend;
      const prefix = dirPrefix(r.key);
      for (const n of ['d-1', 'd/x', 'd0']) await b.write(prefix + n, text(n));
      const flat = await listAll(b, prefix, { pageSize: 1 });
      expect(flat.pages.map(entriesOf).filter((e) => e.length > 0)).toEqual([[`${prefix}d-1`], [`${prefix}d/x`], [`${prefix}d0`]]);
      const oneLevel = await listAll(b, prefix, { delimiter: '/', pageSize: 1 });
      expect(oneLevel.pages.map(entriesOf).filter((e) => e.length > 0)).toEqual([[`${prefix}d-1`], [`${prefix}d/`], [`${prefix}d0`]]);
    });

    test('a key that is both a file and a prefix: both kept and listed (fileAndPrefix), or never both', async () => {
      const r = await root();
      const b = r.backend;
      const p = dirPrefix(r.key);
      const caps = await r.settledCapabilities();
      await b.write(`${p}fp/a`, text('file'));
      if (caps.fileAndPrefix) {
        await b.write(`${p}fp/a/b`, text('below'));
        expect(await readText(b, `${p}fp/a`)).toBe('file');
        expect(await readText(b, `${p}fp/a/b`)).toBe('below');
        const oneLevel = await listAll(b, `${p}fp/`, { delimiter: '/' });
        expect(oneLevel.keys).toEqual([`${p}fp/a`]);
        expect([...new Set(oneLevel.prefixes)]).toEqual([`${p}fp/a/`]);
        expect((await listAll(b, `${p}fp/`)).keys).toEqual([`${p}fp/a`, `${p}fp/a/b`]);
        return;
      }
      // Not both: the second write is a Conflict that changes nothing, or (a service that takes it anyway) the
      // listing never shows both, as declared.
      const below = await b.write(`${p}fp/a/b`, text('below')).then(
        () => 'written',
        (e: unknown) => {
          if (!isConflict(e)) throw new Error(`expected Conflict (a file is where a folder would be), got ${(e as Error)?.name}: ${(e as Error)?.message}`);
          expect(e.message).toContain(b.urlFor(`${p}fp/a`));
          return 'refused';
        },
      );
      expect(await readText(b, `${p}fp/a`)).toBe('file');
      if (below === 'refused') expect(await b.stat(`${p}fp/a/b`)).toBeUndefined();
      expect((await listAll(b, `${p}fp/`)).keys).not.toEqual([`${p}fp/a`, `${p}fp/a/b`]);
      await b.write(`${p}fq/a/b`, text('below'));
      const file = await b.write(`${p}fq/a`, text('file')).then(
        () => 'written',
        (e: unknown) => {
          if (!isConflict(e)) throw new Error(`expected Conflict (a folder is where the file would be), got ${(e as Error)?.name}: ${(e as Error)?.message}`);
          return 'refused';
        },
      );
      if (file === 'refused') {
        expect(await b.stat(`${p}fq/a`)).toBeUndefined();
        expect(await readText(b, `${p}fq/a/b`)).toBe('below');
      }
      expect((await listAll(b, `${p}fq/`)).keys).not.toEqual([`${p}fq/a`, `${p}fq/a/b`]);
    });

    test('every printable ASCII character in keys round-trips and lists; long keys up to maxKeyBytes, longer ones refused', async () => {
      const r = await root();
      const b = r.backend;
      const p = dirPrefix(r.key);
      const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== '/');
      const names = [...printable.map((c) => `x${c}y`), printable.join(''), ' leading space', 'trailing space ', '.hidden', '..dots', 'dots..', 'ünïcødé-ключ-鍵'];
      // What the backend declares it cannot keep is refused before any request, and nothing is stored.
      const refused = [...(b.capabilities.refusedKeyCharacters ?? '')];
      const storable = (n: string) => !refused.some((c) => n.includes(c));
      for (const n of names.filter((n) => !storable(n))) {
        await expectCode(b.write(`${p}w/${n}`, text('refused')), isInvalidUrl, `InvalidUrl for ${JSON.stringify(n)} (refusedKeyCharacters)`);
      }
      const keys = names.filter(storable).map((n) => `${p}w/${n}`);
      await parallel(keys, 8, async (key) => {
        await b.write(key, text(key));
      });
      const byBytes = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y));
      expect((await listAll(b, `${p}w/`, { pageSize: 40 })).keys).toEqual([...keys].sort(byBytes));
      for (const key of keys) {
        expect(await readText(b, key), JSON.stringify(key)).toBe(key);
        expect((await b.stat(key))?.size, JSON.stringify(key)).toBe(Buffer.byteLength(key));
      }

      const max = b.capabilities.maxKeyBytes;
      const longest = keyOfBytes(`${p}long/`, max ?? 1024);
      await b.write(longest, text('long'));
      expect(await readText(b, longest)).toBe('long');
      expect((await listAll(b, `${p}long/`)).keys).toEqual([longest]);
      if (max !== undefined) {
        const tooLong = keyOfBytes(`${p}longer/`, max + 1);
        await expectCode(b.write(tooLong, text('too long')), isInvalidUrl, `InvalidUrl for a key of ${max + 1} bytes (maxKeyBytes ${max})`);
        expect((await listAll(b, `${p}longer/`)).keys).toEqual([]);
      }
    });

    test('range reads: first and last byte, open and overlong ends, a start at or past the end, an empty object', async () => {
      const r = await root();
      const b = r.backend;
      const f = `${r.key}/range`;
      const empty = `${r.key}/empty`;
      await b.write(f, text('0123456789'));
      await b.write(empty, new Uint8Array(0));
      const cases: [{ start: number; end?: number }, string][] = [
        [{ start: 0, end: 0 }, '0'],
        [{ start: 9, end: 9 }, '9'],
        [{ start: 9 }, '9'],
        [{ start: 3, end: 5 }, '345'],
        [{ start: 5, end: 100 }, '56789'],
        [{ start: 0 }, '0123456789'],
        [{ start: 10 }, ''],
        [{ start: 12, end: 20 }, ''],
      ];
      for (const [range, expected] of cases) {
        const { info, body } = await b.read(f, { range });
        expect(decode(await collect(body)), JSON.stringify(range)).toBe(b.capabilities.rangeReads ? expected : '0123456789');
        expect(info.size, `size reported with ${JSON.stringify(range)}`).toBe(10);
      }
      const { info, body } = await b.read(empty, { range: { start: 0 } });
      expect((await collect(body)).byteLength).toBe(0);
      expect(info.size).toBe(0);
    });

    test('the version a write returns is what stat and read report, and what compare-and-swap takes', async () => {
      const r = await root();
      const b = r.backend;
      const caps = await r.settledCapabilities();
      const f = `${r.key}/cas`;
      const w1 = await b.write(f, text('one'));
      expect((await b.stat(f))?.version).toBe(w1.version);
      const opened = await b.read(f);
      await collect(opened.body);
      expect(opened.info.version).toBe(w1.version);
      if (caps.compareAndSwap) {
        const w2 = await b.write(f, text('two'), { ifMatch: w1.version });
        expect(w2.version).not.toBe(w1.version);
        expect((await b.stat(f))?.version).toBe(w2.version);
        await expectCode(b.write(f, text('three'), { ifMatch: w1.version }), isPreconditionFailed, 'PreconditionFailed (stale version)');
        expect(await readText(b, f)).toBe('two');
        await expectCode(b.write(`${r.key}/cas-missing`, text('x'), { ifMatch: w2.version }), isPreconditionFailed, 'PreconditionFailed (no such file)');
        expect(await b.stat(`${r.key}/cas-missing`)).toBeUndefined();
      } else {
        await expectCode(b.write(f, text('two'), { ifMatch: w1.version }), isUnsupported, 'Unsupported (no compareAndSwap declared)');
        expect(await readText(b, f)).toBe('one');
      }
      const created = `${r.key}/created`;
      if (caps.atomicCreate) {
        const c = await b.write(created, text('first'), { ifNoneMatch: '*' });
        expect((await b.stat(created))?.version).toBe(c.version);
        await expectCode(b.write(created, text('second'), { ifNoneMatch: '*' }), isAlreadyExists, 'AlreadyExists');
        expect(await readText(b, created)).toBe('first');
      } else {
        await expectCode(b.write(created, text('first'), { ifNoneMatch: '*' }), isUnsupported, 'Unsupported (no atomicCreate declared)');
        expect(await b.stat(created)).toBeUndefined();
      }
    });

    test('conditional delete: a stale version is refused, the current one deletes (or Unsupported where not declared)', async () => {
      const r = await root();
      const b = r.backend;
      const caps = await r.settledCapabilities();
      const f = `${r.key}/conditional`;
      const w1 = await b.write(f, text('one'));
      const w2 = await b.write(f, text('two'));
      if (!caps.conditionalDelete) {
        await expectCode(b.delete(f, { ifMatch: w2.version }), isUnsupported, 'Unsupported (no conditionalDelete declared)');
        expect(await readText(b, f)).toBe('two');
        return;
      }
      await expectCode(b.delete(f, { ifMatch: w1.version }), isPreconditionFailed, 'PreconditionFailed (stale version)');
      expect(await readText(b, f)).toBe('two');
      await b.delete(f, { ifMatch: w2.version });
      expect(await b.stat(f)).toBeUndefined();
      await expectCode(b.delete(f, { ifMatch: w2.version }), (e) => isNotFound(e) || isPreconditionFailed(e), 'NotFound or PreconditionFailed (gone)');
    });

    test('versions (capabilities.versions): three writes and a delete listed newest first, the first readable, an unknown id NotFound', async () => {
      // Where the service keeps versions only with a store setting (bucket versioning), the harness gives such a store.
      const r = (await harness().versionedRoot?.()) ?? (await root());
      const b = r.backend;
      const caps = await r.settledCapabilities();
      const listVersions = b.listVersions?.bind(b);
      const readVersion = b.readVersion?.bind(b);
      if (!listVersions || !readVersion) {
        expect(caps.versions, 'versions is declared only by a driver with listVersions and readVersion').toBe(false);
        return;
      }
      if (!caps.versions) return; // not declared: nothing is expected of them
      const f = `${r.key}/versioned`;
      const other = `${r.key}/versioned-other`;
      const written: ObjectInfo[] = [];
      for (const body of ['first', 'second', 'third']) written.push(await b.write(f, text(body)));
      await b.write(other, text('another key'));

      const kept = await listVersions(f);
      if (kept.length === 0) throw new Error(`listVersions(${b.urlFor(f)}) gave no versions: give the conformance harness a versionedRoot, a store where the service keeps them (bucket versioning on)`);
      expect(kept.map((k) => [k.deleted === true, k.latest === true])).toEqual([
        [false, true],
        [false, false],
        [false, false],
      ]);
      expect(new Set(kept.map((k) => k.versionId)).size).toBe(3);
      kept.forEach((k, i) => {
        if (k.version !== undefined) expect(k.version, 'a version lists the token its write returned').toBe(written[2 - i]!.version);
      });
      expect(kept.every((k) => k.modified instanceof Date), 'each version has the time the service stored it').toBe(true);
      for (let i = 1; i < kept.length; i++) expect(kept[i - 1]!.modified!.getTime()).toBeGreaterThanOrEqual(kept[i]!.modified!.getTime());
      expect(decode(await collect((await readVersion(f, kept[2]!.versionId)).body))).toBe('first');
      expect(decode(await collect((await readVersion(f, kept[0]!.versionId)).body))).toBe('third');
      // The newest version id of `f` is no version of a key written once.
      await expectCode(readVersion(other, kept[0]!.versionId), isNotFound, 'NotFound (a version id the key does not have)');

      await b.delete(f);
      const after = await listVersions(f);
      // A deletion is the newest version, the others kept — or none at all where deleting a key removes its versions (Vault KV v2).
      if (after.length > 0) {
        expect(after.map((k) => [k.deleted === true, k.latest === true])).toEqual([
          [true, true],
          [false, false],
          [false, false],
          [false, false],
        ]);
        expect(after.slice(1).map((k) => k.versionId)).toEqual(kept.map((k) => k.versionId));
        await expectCode(readVersion(f, after[0]!.versionId), isNotFound, 'NotFound (a deletion has no content)');
        expect(decode(await collect((await readVersion(f, kept[2]!.versionId)).body))).toBe('first');
      }
    });

    test('copy: a missing source is NotFound, an existing target is replaced, only-if-absent refuses one', async () => {
      const r = await root();
      const b = r.backend;
      const caps = await r.settledCapabilities();
      const p = dirPrefix(r.key);
      if (!b.copy) {
        expect(caps.serverSideCopy, 'serverSideCopy is declared only by a driver with copy').toBe(false);
        return;
      }
      await expectCode(b.copy(`${p}nothing`, `${p}target`), isNotFound, 'NotFound (missing source)');
      expect(await b.stat(`${p}target`)).toBeUndefined();
      await b.write(`${p}source`, text('source'));
      await b.write(`${p}target`, text('old'));
      const copied = await b.copy(`${p}source`, `${p}target`);
      expect(await readText(b, `${p}target`)).toBe('source');
      expect(copied.size).toBe(6);
      expect((await b.stat(`${p}target`))?.version).toBe(copied.version);
      await b.write(`${p}kept`, text('kept'));
      if (caps.atomicCreate) {
        await expectCode(b.copy(`${p}source`, `${p}kept`, { ifNoneMatch: '*' }), isAlreadyExists, 'AlreadyExists (target exists)');
        await b.copy(`${p}source`, `${p}fresh`, { ifNoneMatch: '*' });
        expect(await readText(b, `${p}fresh`)).toBe('source');
      } else {
        await expectCode(b.copy(`${p}source`, `${p}kept`, { ifNoneMatch: '*' }), isUnsupported, 'Unsupported (no atomicCreate declared)');
      }
      expect(await readText(b, `${p}kept`)).toBe('kept');
    });

    test('content type and write metadata come back where declared (contentType, writeMetadata), and are never claimed elsewhere', async () => {
      const r = await root();
      const b = r.backend;
      const f = `${r.key}/typed`;
      const contentType = 'application/x-statestore-conformance';
      const metadata = { 'statestore-conformance': 'value with spaces-1' };
      const written = await b.write(f, text('typed'), { contentType, metadata });
      const stat = await b.stat(f);
      const opened = await b.read(f);
      await collect(opened.body);
      const { contentType: typed, writeMetadata } = b.capabilities;
      if (typed) {
        expect([stat?.contentType, opened.info.contentType]).toEqual([contentType, contentType]);
        if (written.contentType !== undefined) expect(written.contentType).toBe(contentType);
      } else {
        for (const info of [written, stat, opened.info]) expect(info?.contentType, 'contentType where none is kept').toBeUndefined();
      }
      if (writeMetadata) {
        expect(stat?.metadata).toMatchObject(metadata);
        expect(opened.info.metadata).toMatchObject(metadata);
      } else {
        expect(stat?.metadata?.['statestore-conformance']).toBeUndefined();
      }
    });

    test('batch delete reports every key once: missing keys and folders count as deleted, a bad key fails alone', async () => {
      const r = await root();
      const b = r.backend;
      const p = dirPrefix(r.key);
      const files = ['x1', 'x2', 'x3', 'dd/y'].map((n) => p + n);
      for (const key of files) await b.write(key, text(key));
      const keys = [`${p}x1`, `${p}missing`, `${p}x2`, `${p}bad//key`, `${p}dd`, `${p}x3`];
      expect(b.deleteMany, 'deleteMany (the driver\'s, or core\'s)').toBeTypeOf('function');
      const result = await b.deleteMany!(keys);
      expect([...result.deleted, ...result.errors.map((e) => e.key)].sort()).toEqual([...keys].sort());
      expect(result.errors.map((e) => e.key)).toEqual([`${p}bad//key`]);
      expect(isInvalidUrl(result.errors[0]?.error)).toBe(true);
      for (const key of [`${p}x1`, `${p}x2`, `${p}x3`]) expect(await b.stat(key), key).toBeUndefined();
      expect(await readText(b, `${p}dd/y`)).toBe(`${p}dd/y`);
    });

    test('an aborted signal fails stat, read, list, write, delete, deleteMany and copy with the abort, and changes nothing', async () => {
      const r = await root();
      const b = r.backend;
      const p = dirPrefix(r.key);
      await b.write(`${p}keep`, text('keep'));
      const controller = new AbortController();
      const reason = new Error('conformance: aborted on purpose');
      controller.abort(reason);
      const signal = controller.signal;
      async function* stream(): AsyncGenerator<Uint8Array> {
        yield text('streamed');
      }
      const calls: [string, () => Promise<unknown>][] = [
        ['stat', () => b.stat(`${p}keep`, { signal })],
        ['read', () => b.read(`${p}keep`, { signal }).then((o) => collect(o.body))],
        ['list', () => b.list(p, { signal })],
        ['write', () => b.write(`${p}new`, text('new'), { signal })],
        ['write of a stream', () => b.write(`${p}streamed`, stream(), { signal })],
        ['delete', () => b.delete(`${p}keep`, { signal })],
        ['deleteMany', () => b.deleteMany!([`${p}keep`], { signal })],
        ...(b.copy ? [['copy', () => b.copy!(`${p}keep`, `${p}copied`, { signal })] as [string, () => Promise<unknown>]] : []),
      ];
      for (const [what, call] of calls) await expectAborted(call(), reason, what);
      expect(await readText(b, `${p}keep`)).toBe('keep');
      expect((await listAll(b, p)).keys).toEqual([`${p}keep`]);
    });

    test('a read aborted in the middle of its body fails the reader with the abort', async () => {
      const r = await root();
      const b = r.backend;
      const f = `${r.key}/aborted-read`;
      await b.write(f, new Uint8Array(1024 * 1024).fill(3));
      const controller = new AbortController();
      const reason = new Error('conformance: read aborted on purpose');
      const { body } = await b.read(f, { signal: controller.signal });
      const chunks = body[Symbol.asyncIterator]();
      expect((await chunks.next()).done).toBe(false);
      controller.abort(reason);
      await expectAborted(
        (async () => {
          while (!(await chunks.next()).done);
        })(),
        reason,
        'reading on after the abort',
      );
    });

    test('a store that does not exist (bucket, container, namespace, mount): NotFound naming it, or nothing there', async () => {
      const m = await harness().missingStore();
      const b = m.backend;
      const key = joinKey(m.key, 'cluster/config');
      const where = m.toString();
      const outcome = async <T>(what: string, call: () => Promise<T>): Promise<{ value?: T; notFound?: true }> => {
        try {
          return { value: await call() };
        } catch (e) {
          if (!isNotFound(e)) throw new Error(`${what} in ${where}: expected NotFound or a result, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
          // The message names the store (or a file in it: the store's URL without its query, e.g. vault's ?tls=false).
          expect(e.message, what).toContain(where.replace(/\?.*$/, ''));
          return { notFound: true };
        }
      };
      const stat = await outcome('stat', () => b.stat(key));
      if (!stat.notFound) expect(stat.value).toBeUndefined();
      expect((await outcome('read', () => b.read(key))).notFound).toBe(true);
      const listed = await outcome('list', () => b.list(dirPrefix(m.key), { delimiter: '/' }));
      if (!listed.notFound) expect([...listed.value!.objects, ...listed.value!.prefixes]).toEqual([]);
      await outcome('delete', () => b.delete(key));
      const written = await outcome('write', () => b.write(key, text('creates the store, or cannot')));
      if (!written.notFound) expect(await readText(b, key)).toBe('creates the store, or cannot');
    });

    test('a "directory" is not a file: stat is undefined, read NotFound, delete quiet, and what is below stays', async () => {
      const r = await root();
      const b = r.backend;
      const p = dirPrefix(r.key);
      await b.write(`${p}dir/file`, text('below'));
      expect(await b.stat(`${p}dir`)).toBeUndefined();
      await expectCode(b.read(`${p}dir`), isNotFound, 'NotFound reading a folder');
      await b.delete(`${p}dir`);
      expect(await readText(b, `${p}dir/file`)).toBe('below');
    });
  });
}
