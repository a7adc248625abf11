/**
 * The lease primitive (path/lease.ts): expiry judged on the observer's monotonic clock, never the holder's
 * wall clock; a dead pid on this host expires at once; a live holder's heartbeat keeps it past its TTL;
 * takeover and release are exact on each capability; a holder that loses its lease is told.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../src/index.js';
import { MemfsBackend, acquireLease, pathForBackend, readLease } from '../src/index.js';
import { DelegatingBackend } from './delegating-backend.js';

const quiet = { log: () => undefined };
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

class Narrowed extends DelegatingBackend {
  constructor(
    inner: MemfsBackend,
    private readonly caps: Partial<Capabilities>,
  ) {
    super(inner);
  }
  override get capabilities(): Readonly<Capabilities> {
    return Object.freeze({ ...this.inner.capabilities, ...this.caps });
  }
}

const flavours: [string, Partial<Capabilities>][] = [
  ['compare-and-swap', {}],
  ['conditional delete only', { compareAndSwap: false }],
  ['atomic create only', { compareAndSwap: false, conditionalDelete: false }],
];

describe.each(flavours)('leases with %s', (_name, caps) => {
  const open = () => pathForBackend(new Narrowed(new MemfsBackend(), caps), 'leases/c', { logger: quiet });

  it('a live holder keeps its lease past the TTL (heartbeat); a waiter gives up naming the holder and a command that removes it', async () => {
    const path = open();
    // A TTL long enough that a loaded machine still renews in time; the waiter waits longer than one TTL.
    const held = await acquireLease(path, { ttlMs: 1_000, waitMs: 0, command: 'statestore set cluster c', logger: quiet });
    const error = await acquireLease(path, { ttlMs: 1_000, waitMs: 1_500, logger: quiet }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'Conflict' });
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect((error as Error).message).toContain('"statestore set cluster c"');
    expect((error as Error).message).toContain(`statestore rm ${path.toString()} --yes`);
    expect(held.lost.aborted).toBe(false);
    await held.release();
    const next = await acquireLease(path, { ttlMs: 1_000, waitMs: 0, logger: quiet });
    await next.release();
  });

  it('a holder whose process is gone (this host) is taken over at once, whatever its record says about time', async () => {
    const path = open();
    const pid = deadPid();
    await path.writeFile(JSON.stringify({ id: 'dead', holder: { user: 'x', host: hostname(), pid, command: 'crashed' }, acquired: '2999-01-01T00:00:00Z', ttlMs: 3_600_000, beat: 0 }));
    const held = await acquireLease(path, { ttlMs: 1_000, waitMs: 0, logger: quiet });
    expect((await readLease(path))?.record?.id).toBe(held.record.id);
    await held.release();
  });

  it('expiry is one TTL of an unchanged record on the observer\'s clock: a record from a clock an hour behind is not expired at once', async () => {
    const path = open();
    await path.writeFile(JSON.stringify({ id: 'elsewhere', holder: { user: 'x', host: 'another-host', pid: 1, command: 'kops' }, acquired: '2000-01-01T00:00:00Z', ttlMs: 300, beat: 0 }));
    const started = performance.now();
    await expect(acquireLease(path, { ttlMs: 300, waitMs: 0, logger: quiet })).rejects.toMatchObject({ code: 'Conflict' });
    const held = await acquireLease(path, { ttlMs: 300, waitMs: 5_000, logger: quiet });
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    await held.release();
  });

  it('a holder whose lease was taken over is told (lost aborts) and cannot prove it holds it', async () => {
    const path = open();
    const held = await acquireLease(path, { ttlMs: 300, waitMs: 0, logger: quiet });
    await path.writeFile(JSON.stringify({ id: 'usurper', holder: { user: 'x', host: 'another-host', pid: 1, command: 'unlock --force' }, acquired: new Date().toISOString(), ttlMs: 300, beat: 0 }));
    await expect(held.assertHeld()).rejects.toMatchObject({ code: 'Conflict' });
    expect(held.lost.aborted).toBe(true);
    await held.release();
    expect((await readLease(path))?.record?.id).toBe('usurper');
  });
});

describe('atomic create only: the breaker object', () => {
  it('a breaker that died holding `<lease>~break.statestore-lock` does not block the others: its object is cleared, the expired lease taken', async () => {
    const path = pathForBackend(new Narrowed(new MemfsBackend(), { compareAndSwap: false, conditionalDelete: false }), 'leases/c', { logger: quiet });
    const dead = { user: 'x', host: hostname(), pid: deadPid(), command: 'crashed' };
    await path.writeFile(JSON.stringify({ id: 'dead-holder', holder: dead, acquired: '2000-01-01T00:00:00Z', ttlMs: 300, beat: 0 }));
    await path.parent()!.join('c~break.statestore-lock').writeFile(JSON.stringify({ id: 'dead-breaker', holder: dead, acquired: '2000-01-01T00:00:00Z', ttlMs: 300, beat: 0 }));
    const held = await acquireLease(path, { ttlMs: 300, waitMs: 5_000, logger: quiet });
    expect((await readLease(path))?.record?.id).toBe(held.record.id);
    expect(await path.parent()!.join('c~break.statestore-lock').exists()).toBe(false);
    await held.release();
  });
});
