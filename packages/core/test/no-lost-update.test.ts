/**
 * Issue 16's numbered ways an acknowledged update was lost, one test each, at library level (the
 * process-level versions — SIGKILLed holders, skewed clocks, proxies that drop answers — run in
 * packages/resilience). Each test counts acknowledged operations and asserts every one is stored once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { hostname } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Capabilities, ObjectInfo, ReadOptions, WriteBody, WriteOptions } from '../src/index.js';
import { MemfsBackend, TransientError, pathForBackend, resolvePath, sync } from '../src/index.js';
import { lockPath } from '../src/backends/file/internal-files.js';
import { DelegatingBackend } from './delegating-backend.js';

const decode = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : '');
const tokens = (text: string) => text.split(',').filter(Boolean);
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

/** A pid that belonged to a process of this host that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

/** A backend with atomic create only (like OSS): updateFile must use the lease. */
class AtomicCreateOnly extends DelegatingBackend {
  override get capabilities(): Readonly<Capabilities> {
    return Object.freeze({ ...this.inner.capabilities, compareAndSwap: false, conditionalDelete: false });
  }
}

/** Atomic create only, with a network's latency (0–3 ms) on every request, so that concurrent callers interleave. */
class AtomicCreateOnlyOverNetwork extends AtomicCreateOnly {
  private random = seeded(16);
  private latency = () => new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * 4)));
  override async stat(key: string) {
    await this.latency();
    return super.stat(key);
  }
  override async read(key: string, options?: ReadOptions) {
    await this.latency();
    return super.read(key, options);
  }
  override async write(key: string, body: WriteBody, options?: WriteOptions) {
    await this.latency();
    return super.write(key, body, options);
  }
  override async delete(key: string, options?: { ifMatch?: string }) {
    await this.latency();
    return super.delete(key, options);
  }
}

function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** Appends `token` to a comma-separated list with updateFile. */
const append = (token: string) => (current: Uint8Array | undefined) => `${decode(current)}${token},`;

describe('issue 16: nothing lost when things go wrong', () => {
  it('case 1: file:// stale-lock takeover races — 20 concurrent writers over a dead holder\'s lock keep all 400 increments', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'case1-'));
    const target = path.join(dir, 'counter');
    await fs.writeFile(target, '');
    const pid = deadPid();
    // The lock a crashed writer left behind (this version's name and an older one's).
    writeFileSync(lockPath(target), `${(await import('../src/backends/file/internal-files.js')).THIS_HOST} ${pid} deadbeef`);
    writeFileSync(path.join(dir, '.statestore-tmp-lock-counter'), `${hostname()} ${pid} ${Date.now()}`);
    const file = await resolvePath(target, fast);
    let acknowledged = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, writer) => {
        for (let i = 0; i < 20; i++) {
          await file.updateFile(append(`w${writer}-${i}`));
          acknowledged++;
        }
      }),
    );
    const stored = tokens(await file.readText());
    expect(acknowledged).toBe(400);
    expect(stored).toHaveLength(400);
    expect(new Set(stored).size).toBe(400);
  });

  it('case 2: lock lease without fencing — a holder whose write is delayed past its lease never lands after the next holder', async () => {
    const d = new AtomicCreateOnly(new MemfsBackend());
    const ttl = 300;
    const file = pathForBackend(d, 'cluster/config', { ...fast, lockLeaseMs: ttl });
    await file.writeFile('');
    let delayNext = false;
    const inner = d.inner;
    // The first data write of holder A is held in the network for 3 leases; cut off (aborted) before it
    // is delivered, it is never applied, as a real server never applies a request it did not receive.
    d.write = async (key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> => {
      if (key === 'cluster/config' && delayNext) {
        delayNext = false;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ttl * 3);
          options.signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(options.signal!.reason);
          });
        });
      }
      return inner.write(key, body, options);
    };
    let bStarted!: () => void;
    const bMayStart = new Promise<void>((resolve) => (bStarted = resolve));
    const a = file.updateFile((current) => {
      delayNext = true;
      bStarted();
      return append('A')(current);
    });
    await bMayStart;
    const b = file.updateFile(append('B'));
    await Promise.all([a, b]);
    expect(tokens(await file.readText()).sort()).toEqual(['A', 'B']);
  });

  it('case 4: two breakers of one expired lock — 10 concurrent writers over an expired lock keep all 80 increments', async () => {
    const d = new AtomicCreateOnlyOverNetwork(new MemfsBackend());
    const file = pathForBackend(d, 'cluster/config', { ...fast, lockLeaseMs: 2_000 });
    await file.writeFile('');
    const pid = deadPid();
    // An expired lock (its holder's process is gone; also expired by the older format's time).
    await pathForBackend(d, 'cluster/config.statestore-lock').writeFile(
      JSON.stringify({ id: 'dead', holder: { user: 'x', host: hostname(), pid, command: 'crashed' }, host: hostname(), pid, time: '2000-01-01T00:00:00Z', leaseMs: 1, acquired: '2000-01-01T00:00:00Z', ttlMs: 2_000, beat: 0 }),
    );
    let acknowledged = 0;
    await Promise.all(
      Array.from({ length: 10 }, async (_, writer) => {
        for (let i = 0; i < 8; i++) {
          await file.updateFile(append(`w${writer}-${i}`));
          acknowledged++;
        }
      }),
    );
    const stored = tokens(await file.readText());
    expect(acknowledged).toBe(80);
    expect(new Set(stored).size).toBe(80);
    expect(stored).toHaveLength(80);
  });

  it('case 5: lost response, then re-applied — an update whose answer was lost while another writer built on it is applied once', async () => {
    const d = new DelegatingBackend(new MemfsBackend());
    const file = pathForBackend(d, 'cluster/config', fast);
    await file.writeFile('base,');
    let loseOnce = true;
    d.afterWrite = (_key, options) => {
      if (!loseOnce || options.ifMatch === undefined) return;
      loseOnce = false;
      // A's write landed; before A hears back (it never will), B changes the file on top of it.
      const other = pathForBackend(d.inner, 'cluster/config', fast);
      return other.updateFile(append('B')).then(() => {
        throw new TransientError('502 after the server applied the write');
      });
    };
    let calls = 0;
    await file.updateFile((current) => {
      calls++;
      return append('A')(current);
    });
    expect(calls).toBe(1);
    expect(tokens(await file.readText())).toEqual(['base', 'A', 'B']);
  });

  it('case 5: an answer lost where nothing proves the outcome is OutcomeUnknown, never a second application', async () => {
    const d = new DelegatingBackend(new MemfsBackend());
    const file = pathForBackend(d, 'cluster/config', fast);
    await file.writeFile('base,');
    let loseOnce = true;
    d.afterWrite = async (_key, options) => {
      if (!loseOnce || options.ifMatch === undefined) return;
      loseOnce = false;
      const other = pathForBackend(d.inner, 'cluster/config', fast);
      await other.updateFile(append('B'));
      await other.updateFile(append('C'));
      throw new TransientError('502 after the server applied the write');
    };
    let calls = 0;
    await expect(
      file.updateFile((current) => {
        calls++;
        return append('A')(current);
      }),
    ).rejects.toMatchObject({ code: 'OutcomeUnknown', message: expect.stringMatching(/cannot be proved.*statestore cat/) });
    expect(calls).toBe(1);
    expect(tokens(await file.readText())).toEqual(['base', 'A', 'B', 'C']);
  });

  it('case 7a: sync --delete and a source key with an empty segment — reported, never copied under another name, nothing deleted', async () => {
    const source = new MemfsBackend();
    await source.write('src/a', new TextEncoder().encode('a'));
    await source.write('src//double', new TextEncoder().encode('double'));
    const destination = await resolvePath(`memfs://case7a-${Date.now()}/dst`);
    await destination.join('double').writeFile('kept');
    const from = pathForBackend(source, 'src');
    const summaries = [await sync(from, destination, { delete: true }), await sync(from, destination, { delete: true })];
    expect(await destination.join('double').readText()).toBe('kept');
    expect(await destination.join('a').readText()).toBe('a');
    for (const summary of summaries) {
      expect(summary.errors.map((e) => e.message).join('\n')).toMatch(/src\/\/double.*empty/);
      expect(summary.deleteSkipped).toBeDefined();
    }
  });

  it('case 7b: sync --delete from a file:// source with a symlink and a name that is not UTF-8 — reported, and the destination keeps its copies', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'case7b-'));
    await fs.writeFile(path.join(dir, 'plain'), 'plain');
    await fs.writeFile(path.join(dir, 'target-outside'), 'linked');
    await fs.mkdir(path.join(dir, 'src'));
    await fs.writeFile(path.join(dir, 'src', 'plain'), 'plain');
    symlinkSync(path.join(dir, 'target-outside'), path.join(dir, 'src', 'linked'));
    await fs.writeFile(Buffer.concat([Buffer.from(path.join(dir, 'src') + '/'), Buffer.from([0x6e, 0xff, 0x6f])]), 'latin1 name');
    const destination = await resolvePath(`memfs://case7b-${Date.now()}/dst`);
    await destination.join('linked').writeFile('linked');
    await destination.join('n\ufffdo').writeFile('latin1 name');
    const summary = await sync(await resolvePath(path.join(dir, 'src')), destination, { delete: true });
    expect(await destination.join('linked').readText()).toBe('linked');
    expect(await destination.join('n\ufffdo').readText()).toBe('latin1 name');
    const messages = summary.errors.map((e) => e.message).join('\n');
    expect(messages).toMatch(/linked.*symbolic link/);
    expect(messages).toMatch(/not valid UTF-8/);
    expect(summary.deleteSkipped).toBeDefined();
  });
});

describe('capabilities are settled once, before the first conditional write, and frozen', () => {
  class Probed extends DelegatingBackend {
    settles = 0;
    private settled: Readonly<Capabilities> | undefined;
    override get capabilities(): Readonly<Capabilities> {
      return this.settled ?? Object.freeze({ ...this.inner.capabilities, atomicCreate: false, compareAndSwap: false, conditionalDelete: false });
    }
    async settleCapabilities(): Promise<Readonly<Capabilities>> {
      this.settles++;
      this.settled = Object.freeze({ ...this.inner.capabilities, compareAndSwap: false });
      return this.settled;
    }
  }

  it('a read settles nothing; the first updateFile settles once and takes the safe path the settled facts allow', async () => {
    const d = new Probed(new MemfsBackend());
    const file = pathForBackend(d, 'c/config', fast);
    await file.readVersioned();
    await pathForBackend(d, 'c').readDir();
    expect(d.settles).toBe(0);
    await Promise.all(Array.from({ length: 8 }, (_, i) => file.updateFile(append(`w${i}`))));
    expect(d.settles).toBe(1);
    expect(Object.isFrozen(d.capabilities)).toBe(true);
    expect(tokens(await file.readText())).toHaveLength(8);
    expect(d.calls.some((c) => c.includes('statestore-lock'))).toBe(true);
  });
});
