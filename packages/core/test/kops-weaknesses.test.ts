/**
 * One test per weakness of kops's VFS (shared/reference/kops-vfs.md §10) that applies to core, memfs or
 * file, named after it, showing that Statestore does not have it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, statSync, existsSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FileBackend, MemfsBackend, isInvalidUrl, pathForBackend, resolvePath } from '../src/index.js';
import { DelegatingBackend } from './delegating-backend.js';

const run = promisify(execFile);
const dist = pathToFileURL(path.resolve(import.meta.dirname, '../dist/index.js')).href;
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'weak-'));

describe('kops VFS weaknesses', () => {
  it('weakness 1: createFile is check-then-write — file:// create is exclusive across 8 processes', async () => {
    const dir = tmp();
    const target = path.join(dir, 'cluster', 'config');
    const script = `const c = await import(${JSON.stringify(dist)}); const p = await c.resolvePath(process.argv[1]);
      try { await p.createFile('writer ' + process.pid); console.log('won'); } catch (e) { console.log(e.code); }`;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => run(process.execPath, ['--input-type=module', '-e', script, target]).then((r) => r.stdout.trim())),
    );
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'AlreadyExists')).toHaveLength(7);
    expect(await fs.readFile(target, 'utf8')).toMatch(/^writer \d+$/);
  });

  it('weakness 2: global create locks held across I/O, existence probed by downloading — creates of different keys run in parallel and read nothing', async () => {
    const d = new DelegatingBackend(new MemfsBackend());
    d.writeDelayMs = 30;
    const root = pathForBackend(d, 'store');
    await root.join('big').writeFile(new Uint8Array(1024 * 1024));
    d.calls = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => root.join(`k${i}`).createFile('x')));
    expect(d.maxInFlightWrites).toBe(8);
    await expect(root.join('big').createFile('y')).rejects.toMatchObject({ code: 'AlreadyExists' });
    expect(d.calls.filter((c) => c.startsWith('read'))).toEqual([]);
  });

  it('weakness 4: memfs content unsynchronised and shared — stored bytes are copied in and out; concurrent CAS keeps all', async () => {
    const f = await resolvePath('memfs://weak4/file');
    const input = new Uint8Array([1, 2, 3]);
    await f.writeFile(input);
    input[0] = 9;
    const out = await f.readFile();
    out[1] = 9;
    expect([...(await f.readFile())]).toEqual([1, 2, 3]);
    const n = await resolvePath('memfs://weak4/n');
    await Promise.all(Array.from({ length: 20 }, (_, i) => n.updateFile((c) => `${c ? new TextDecoder().decode(c) : ''}${i},`)));
    expect((await n.readText()).split(',').filter(Boolean)).toHaveLength(20);
  });

  it('weakness 7: readDir/readTree semantics differ — both built-ins mark directories, and readTree holds files only (no placeholders, no phantoms)', async () => {
    for (const root of [await resolvePath('memfs://weak7'), await resolvePath(tmp())]) {
      await root.join('a/file').writeFile('1');
      await root.join('top').writeFile('2');
      await root.backend.write(`${root.key}/placeholder/`.replace(/^\//, ''), new Uint8Array(0)).catch(() => undefined);
      expect((await root.readDir()).filter((e) => e.name !== 'placeholder').map((e) => [e.name, e.isDirectory])).toEqual([
        ['a', true],
        ['top', false],
      ]);
      expect((await root.readTree()).map((p) => p.relativeTo(root)).sort()).toEqual(['a/file', 'top']);
    }
  });

  it('weakness 11: removeAll leaves the path itself, swallows per-key errors, leaves empty folders', async () => {
    const dir = tmp();
    const store = await resolvePath(dir);
    await store.join('c/config').writeFile('x');
    await store.join('c/pki/private/ca/keyset.yaml').writeFile('x');
    await store.join('keep').writeFile('x');
    await store.join('c').removeAll();
    expect(existsSync(path.join(dir, 'c'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['keep']);
    await store.removeAll(); // emptied folders go too, up to the folder the store was opened at
    expect(existsSync(dir)).toBe(false);

    const d = new DelegatingBackend(new MemfsBackend());
    const root = pathForBackend(d, 'r');
    await root.join('ok').writeFile('1');
    await root.join('denied').writeFile('2');
    d.deleteManyErrors.add('r/denied');
    const e = await root.removeAll().catch((x) => x);
    expect(e.message).toContain('1 of 2 files could not be removed');
    expect(e.message).toContain('memfs://r/denied');
  });

  it('weakness 12: memfs path identity and phantom nodes — memfs:///a and memfs://a are one path; join creates nothing', async () => {
    const a = await resolvePath('memfs://weak12/a');
    const b = await resolvePath('memfs:///weak12/a');
    await a.writeFile('same');
    expect(await b.readText()).toBe('same');
    expect(a.toString()).toBe(b.toString());
    a.join('phantom', 'child');
    expect((await (await resolvePath('memfs://weak12')).readTree()).map((p) => p.toString())).toEqual(['memfs://weak12/a']);
    await a.remove();
    expect(await (await resolvePath('memfs://weak12')).readDir()).toEqual([]);
  });

  it('weakness 13: Join does not validate .. — no path can climb above its store', async () => {
    const root = await resolvePath('memfs://weak13/cluster');
    for (const bad of ['..', '../other', 'a/../../b', '.', 'x/./y']) {
      let error: unknown;
      try {
        root.join(bad);
      } catch (e) {
        error = e;
      }
      expect(isInvalidUrl(error), bad).toBe(true);
    }
    await expect(resolvePath('memfs://weak13/../etc')).rejects.toMatchObject({ code: 'InvalidUrl' });
    await expect(resolvePath('/tmp/../etc/x')).resolves.toBeDefined(); // a local path is resolved by the OS rules first
  });

  it('weakness 24: FS writes without fsync and ignores modes — files are 0600, folders 0700 (or as configured), and data is fsynced', async () => {
    const dir = tmp();
    const f = await resolvePath(path.join(dir, 'a', 'b', 'secret'));
    const probe = await fs.open(path.join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const original = proto.sync;
    let syncs = 0;
    proto.sync = function (this: unknown) {
      syncs++;
      return original.call(this);
    };
    try {
      await f.writeFile('token');
    } finally {
      proto.sync = original;
    }
    expect(syncs).toBeGreaterThanOrEqual(2); // the file, then its folder
    expect(statSync(path.join(dir, 'a', 'b', 'secret')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'a')).mode & 0o777).toBe(0o700);
    const g = pathForBackend(new FileBackend({ fileMode: 0o640, dirMode: 0o750 }), path.join(dir, 'c', 'shared').slice(1));
    await g.writeFile('x');
    expect(statSync(path.join(dir, 'c', 'shared')).mode & 0o777).toBe(0o640);
    expect(statSync(path.join(dir, 'c')).mode & 0o777).toBe(0o750);
  });
});
