/**
 * The lease on a backend with neither compare-and-swap nor atomic create (path/candidate-lease.ts), on memfs
 * narrowed to Swift's capabilities: exclusion among concurrent contenders, first come first served, expiry
 * of dead and silent holders, breaking by id, updateFile through it — and its limit: with listings that
 * show new objects later than the settle delay, two contenders hold at once.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Capabilities, ListOptions, ListPage, ObjectInfo, WriteBody, WriteOptions } from '../src/index.js';
import { MemfsBackend, acquireLease, breakLease, pathForBackend, readCurrentLease, type VfsPath } from '../src/index.js';
import { DelegatingBackend } from './delegating-backend.js';

const quiet = { log: () => undefined };
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

/**
 * Swift's capabilities (no atomic operation); listings that show a new object only `hideMs` after its write
 * returned; writes that take up to `maxWriteMs` (so that a contender's write can land long after its listing).
 */
class SwiftLike extends DelegatingBackend {
  private readonly written = new Map<string, number>();
  constructor(
    inner: MemfsBackend,
    private readonly hideMs = 0,
    private readonly maxWriteMs = 0,
  ) {
    super(inner);
  }
  override get capabilities(): Readonly<Capabilities> {
    return Object.freeze({ ...this.inner.capabilities, atomicCreate: false, compareAndSwap: false, conditionalDelete: false });
  }
  /** Delays the ticket of the contender that announced first in each folder by this much (0: none). */
  slowFirstTicketMs = 0;
  private readonly firstAnnounced = new Map<string, string>();

  override async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    if (this.maxWriteMs) await new Promise((r) => setTimeout(r, Math.random() * this.maxWriteMs));
    const [, folder, kind, id] = /^(.*)\/(intent|ticket-\d+)-(.+)$/.exec(key) ?? [];
    if (folder !== undefined && kind === 'intent' && !this.firstAnnounced.has(folder)) this.firstAnnounced.set(folder, id!);
    if (folder !== undefined && kind !== 'intent' && this.firstAnnounced.get(folder) === id && !this.written.has(key)) await new Promise((r) => setTimeout(r, this.slowFirstTicketMs));
    const info = await super.write(key, body, options);
    if (!this.written.has(key)) this.written.set(key, performance.now());
    if (folder !== undefined && kind !== 'intent') this.ticketsWritten.get(folder)?.();
    return info;
  }

  private readonly ticketsWritten = new Map<string, () => void>();
  /** Resolves when the next ticket is written in `folder` (a key). */
  nextTicket(folder: string): Promise<void> {
    return new Promise((resolve) => this.ticketsWritten.set(folder, resolve));
  }
  override async delete(key: string, options?: { ifMatch?: string }): Promise<void> {
    await super.delete(key, options);
    this.written.delete(key);
  }
  override async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const page = await super.list(prefix, options);
    const now = performance.now();
    return { ...page, objects: page.objects.filter((o) => now - (this.written.get(o.key) ?? 0) >= this.hideMs) };
  }
}

const SETTLE = 40;
const TTL = 600;
const open = (driver: SwiftLike, key = 'leases/c') => pathForBackend(driver, key, { logger: quiet, leaseSettleMs: SETTLE, lockLeaseMs: TTL });

/** `contenders` processes' worth of acquire–hold–release loops at once; the most holders seen at one time. */
async function contend(path: () => VfsPath, contenders: number, rounds: number, holdMs: number, ttlMs = TTL): Promise<{ maxAtOnce: number; held: number }> {
  let atOnce = 0;
  let maxAtOnce = 0;
  let held = 0;
  await Promise.all(
    Array.from({ length: contenders }, async () => {
      for (let i = 0; i < rounds; i++) {
        const lease = await acquireLease(path(), { ttlMs, waitMs: 60_000, logger: quiet });
        atOnce++;
        held++;
        maxAtOnce = Math.max(maxAtOnce, atOnce);
        await new Promise((r) => setTimeout(r, holdMs));
        atOnce--;
        await lease.release();
      }
    }),
  );
  return { maxAtOnce, held };
}

describe('a lease with neither compare-and-swap nor atomic create', () => {
  it('keeps 8 concurrent contenders apart, with writes slower than the settle delay, and leaves nothing behind', async () => {
    const driver = new SwiftLike(new MemfsBackend(), 0, SETTLE * 3);
    const result = await contend(() => open(driver), 8, 2, SETTLE * 2, 3_000);
    expect(result).toEqual({ maxAtOnce: 1, held: 16 });
    expect(await open(driver).readDir()).toEqual([]);
  });

  it('waits for a contender still announcing: its late ticket may come first (Lamport\'s "choosing")', async () => {
    // Six pairs: in each, both list no ticket and take number 1, and the first to announce writes its
    // ticket three settle delays late; whichever id orders first, the pair never holds at once.
    const driver = new SwiftLike(new MemfsBackend());
    driver.slowFirstTicketMs = SETTLE * 3;
    const results = await Promise.all(Array.from({ length: 6 }, (_, pair) => contend(() => open(driver, `leases/pair-${pair}`), 2, 1, SETTLE * 6, 3_000)));
    expect(results.map((r) => r.maxAtOnce)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('waits a settle delay between announcing and taking a number: a ticket the listing does not show yet is not undercut', async () => {
    // Listings show new objects 0.9 settle delays late. In each of six pairs, the second contender
    // announces half a settle delay after the first wrote its ticket: listing at once, it would miss that
    // ticket and take the same number, and the first would miss its intent.
    const driver = new SwiftLike(new MemfsBackend(), SETTLE * 0.9);
    const results = await Promise.all(
      Array.from({ length: 6 }, async (_, pair) => {
        const path = () => open(driver, `leases/late-${pair}`);
        let atOnce = 0;
        let maxAtOnce = 0;
        const run = async () => {
          const lease = await acquireLease(path(), { ttlMs: 3_000, waitMs: 60_000, logger: quiet });
          maxAtOnce = Math.max(maxAtOnce, ++atOnce);
          await new Promise((r) => setTimeout(r, SETTLE * 6));
          atOnce--;
          await lease.release();
        };
        const ticket = driver.nextTicket(path().key);
        const first = run();
        await ticket;
        // the fault's shape (when the second contender arrives), not a synchronisation
        await new Promise((r) => setTimeout(r, SETTLE / 2));
        await Promise.all([first, run()]);
        return maxAtOnce;
      }),
    );
    expect(results).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('serves contenders in the order of their tickets: one that came later waits for the holder, then gets it', async () => {
    const driver = new SwiftLike(new MemfsBackend());
    const first = await acquireLease(open(driver), { ttlMs: TTL, waitMs: 0, command: 'first', logger: quiet });
    expect((await readCurrentLease(open(driver)))?.record?.holder.command).toBe('first');
    const second = acquireLease(open(driver), { ttlMs: TTL, waitMs: 10_000, command: 'second', logger: quiet });
    // the second is in line (a ticket after the first's), renewing it while it waits
    await expect.poll(async () => (await open(driver).readDir()).filter((e) => e.name.startsWith('ticket-')).length).toBe(2);
    expect(first.lost.aborted).toBe(false);
    await first.release();
    const next = await second;
    expect((await readCurrentLease(open(driver)))?.record?.holder.command).toBe('second');
    await next.release();
  });

  it('a waiter that gives up names the holder and withdraws its own place', async () => {
    const driver = new SwiftLike(new MemfsBackend());
    const held = await acquireLease(open(driver), { ttlMs: TTL, waitMs: 0, command: 'statestore set cluster c', logger: quiet });
    const error = await acquireLease(open(driver), { ttlMs: TTL, waitMs: 300, logger: quiet }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'Conflict' });
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect((error as Error).message).toContain('"statestore set cluster c"');
    expect((error as Error).message).toContain(`statestore rm -r ${open(driver).toString()} --yes`);
    expect((await open(driver).readDir()).map((e) => e.name)).toEqual([expect.stringMatching(new RegExp(`^ticket-0+1-${held.record.id}$`))]);
    await held.release();
  });

  it('a holder whose process is gone (this host) is taken over at once; a silent one on another host after one TTL', async () => {
    const driver = new SwiftLike(new MemfsBackend());
    const record = (id: string, host: string, pid: number) => JSON.stringify({ id, holder: { user: 'x', host, pid, command: 'crashed' }, acquired: '2999-01-01T00:00:00Z', ttlMs: TTL, beat: 0 });
    await open(driver).join('ticket-000000000001-dead').writeFile(record('dead', hostname(), deadPid()));
    const started = performance.now();
    const first = await acquireLease(open(driver), { ttlMs: TTL, waitMs: 0, logger: quiet });
    expect(performance.now() - started).toBeLessThan(TTL);
    await first.release();
    await open(driver).join('ticket-000000000001-silent').writeFile(record('silent', 'another-host', 1));
    await expect(acquireLease(open(driver), { ttlMs: TTL, waitMs: 0, logger: quiet })).rejects.toMatchObject({ code: 'Conflict' });
    const second = await acquireLease(open(driver), { ttlMs: TTL, waitMs: 10_000, logger: quiet });
    expect(performance.now() - started).toBeGreaterThanOrEqual(TTL);
    expect((await readCurrentLease(open(driver)))?.record?.id).toBe(second.record.id);
    await second.release();
  });

  it('breaking by id is refused once the lease changed hands; the holder whose lease was broken is told', async () => {
    const driver = new SwiftLike(new MemfsBackend());
    const held = await acquireLease(open(driver), { ttlMs: TTL, waitMs: 0, logger: quiet });
    await expect(breakLease(open(driver), { id: 'someone-else' })).rejects.toMatchObject({ code: 'PreconditionFailed' });
    expect(held.lost.aborted).toBe(false);
    expect((await breakLease(open(driver), { id: held.record.id }))?.id).toBe(held.record.id);
    await expect(held.assertHeld()).rejects.toMatchObject({ code: 'Conflict' });
    expect(held.lost.aborted).toBe(true);
    expect(await readCurrentLease(open(driver))).toBeUndefined();
  });

  it('updateFile takes it: 16 concurrent increments all land', async () => {
    const driver = new SwiftLike(new MemfsBackend());
    const file = open(driver, 'c/counter');
    await Promise.all(Array.from({ length: 16 }, () => file.updateFile((current) => String(Number(current ? new TextDecoder().decode(current) : '0') + 1))));
    expect(await file.readText()).toBe('16');
    expect((await file.parent()!.readDir()).map((e) => e.name)).toEqual(['counter']);
  });

  it('refuses a settle delay that does not fit well inside the time-to-live', async () => {
    const driver = new SwiftLike(new MemfsBackend());
    await expect(acquireLease(open(driver), { ttlMs: 100, waitMs: 0, settleMs: 40, logger: quiet })).rejects.toMatchObject({ code: 'InvalidConfig' });
  });
});

describe('its limit: listings that show new objects late', () => {
  it.each([
    ['half the settle delay: one holder at a time', SETTLE / 2, false],
    ['ten times the settle delay: two holders at once', SETTLE * 10, true],
  ])('new objects hidden from listings for %s', async (_name, hideMs, overlaps) => {
    const driver = new SwiftLike(new MemfsBackend(), hideMs);
    const result = await contend(() => open(driver), 6, 2, 30);
    expect(result.held).toBe(12);
    if (overlaps) expect(result.maxAtOnce).toBeGreaterThan(1);
    else expect(result.maxAtOnce).toBe(1);
  });
});

describe('breaking a lease whose holder keeps renewing it', () => {
  /** memfs where the holder's heartbeat lands between the breaker's read and its conditional removal (twice). */
  class RenewedUnderneath extends DelegatingBackend {
    renewalsLeft = 2;
    override async delete(key: string, options: { ifMatch?: string; signal?: AbortSignal } = {}) {
      if (options.ifMatch !== undefined && this.renewalsLeft > 0) {
        this.renewalsLeft--;
        const { body } = await this.inner.read(key);
        const chunks: Uint8Array[] = [];
        for await (const chunk of body) chunks.push(chunk);
        await this.inner.write(key, Buffer.concat(chunks), { ifMatch: options.ifMatch });
      }
      return super.delete(key, options);
    }
  }

  it('breaks it when a renewal lands between the read and the removal (same lease id, new version)', async () => {
    const driver = new RenewedUnderneath(new MemfsBackend());
    const lease = pathForBackend(driver, '.statestore/leases/c');
    const held = await acquireLease(lease, { ttlMs: 60_000, waitMs: 0, logger: quiet });
    expect((await breakLease(lease, { id: held.record.id }))?.id).toBe(held.record.id);
    expect(await readCurrentLease(lease)).toBeUndefined();
    expect(driver.renewalsLeft).toBe(0);
    await held.release().catch(() => undefined);
  });
});
