/**
 * path/lease owns the lease: one object that says who may change something, for how long, and that the
 * holder is still alive. Every exclusive section in Statestore is one (the per-file lock of updateFile on
 * backends without compare-and-swap; the per-cluster lease of the CLI). The rules:
 *
 * - The record names the holder (user, host, pid, command), when it was taken (for people to read) and a
 *   time-to-live. The holder renews it (a heartbeat) while it lives.
 * - Expiry is judged by the observer on its own monotonic clock: a lease whose stored version has not
 *   changed for a whole TTL since this observer first saw it is expired. Nobody's wall clock is trusted,
 *   so a skewed clock neither expires a live lease early nor keeps a dead one late. On the holder's own
 *   host, a holder whose pid is dead has expired at once.
 * - Taking over an expired lease and releasing one are exact where the backend has compare-and-swap or
 *   conditional delete (a released lease without conditional delete is a `released` record written by
 *   compare-and-swap). With atomic create only (OSS), breakers serialise on a second object
 *   (`<lease>.break`) and act only if the lease is still the version they judged; what remains is a
 *   breaker or releaser paused for longer than a TTL between its check and its action (see
 *   packages/resilience/README.md for the windows measured per capability).
 * - The holder renews every eighth of the TTL (each renewal with a deadline of what is left of the lease)
 *   and stops using a lease it can no longer prove: a renewal that finds it taken, or no renewal landed
 *   within two thirds of the TTL, aborts `lost`.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Capabilities } from '../backend/backend.js';
import { ConflictError, UnsupportedError, isAlreadyExists, isNotFound, isPreconditionFailed } from '../errors/errors.js';
import { backoffDelay, sleep } from '../retry/retry.js';
import type { Logger } from './store-context.js';
import type { VfsPath } from './vfs-path.js';

/** Who holds a lease. */
export interface LeaseHolder {
  user: string;
  host: string;
  pid: number;
  /** The command line (or a description of the operation), secrets already removed. */
  command: string;
}

/** What a lease object holds (JSON). */
export interface LeaseRecord {
  id: string;
  holder: LeaseHolder;
  /** When it was taken, by the holder's clock: for people to read, never used to judge expiry. */
  acquired: string;
  /** How long after its last renewal (as an observer sees it) the lease counts as expired. */
  ttlMs: number;
  /** Renewal count: every heartbeat writes a new value, so the stored version changes. */
  beat: number;
  /** Written by a release that cannot delete conditionally: the lease is free. */
  released?: true;
}

export interface LeaseOptions {
  /** Time-to-live, ms. */
  ttlMs: number;
  /** How long to wait for a lease that someone else holds (0: fail at once). */
  waitMs: number;
  /** What the holder is doing, for other operators to read (no secrets). */
  command?: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** How to tell the user to break a lease by hand, for the message when waiting gives up. */
  unlockHint?: (record: LeaseRecord) => string;
}

/** A lease this process holds. */
export interface HeldLease {
  readonly record: LeaseRecord;
  /** Aborted when the lease is lost (taken by someone else, or not renewable in time). */
  readonly lost: AbortSignal;
  /** Milliseconds during which no observer can judge the lease expired (from the last renewal sent). */
  remainingMs(): number;
  /** Re-reads the stored lease; ConflictError unless it is still this one and was renewed in time. */
  assertHeld(signal?: AbortSignal): Promise<void>;
  /** Stops renewing and frees the lease (exactly where the backend allows; see the file header). */
  release(): Promise<void>;
}

/** A lease as read from the store. */
export interface StoredLease {
  /** Undefined when the object is not a lease record (unreadable): it still blocks until it expires. */
  record: LeaseRecord | undefined;
  version: string;
}

/** The identity of this process as a lease holder. */
export function currentHolder(command = process.argv.slice(1).join(' ')): LeaseHolder {
  let user = process.env.USER ?? process.env.LOGNAME ?? '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return { user, host: hostname(), pid: process.pid, command };
}

/** Reads a lease object; undefined when there is none. */
export async function readLease(path: VfsPath, signal?: AbortSignal): Promise<StoredLease | undefined> {
  const current = await path.readVersioned({ ...(signal ? { signal } : {}) });
  if (!current) return undefined;
  return { record: parseLease(current.bytes), version: current.version };
}

export function parseLease(bytes: Uint8Array): LeaseRecord | undefined {
  try {
    const r = JSON.parse(new TextDecoder().decode(bytes)) as LeaseRecord;
    if (typeof r?.id !== 'string' || typeof r.ttlMs !== 'number' || typeof r.holder?.pid !== 'number') return undefined;
    return r;
  } catch {
    return undefined;
  }
}

/** True when the holder is a process on this host that no longer exists. */
export function holderIsDead(holder: LeaseHolder | undefined): boolean {
  if (!holder || holder.host !== hostname() || !Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Watches one lease object from outside and says when it has expired, on this process's monotonic clock:
 * the same stored version seen for a whole TTL, or a holder on this host whose pid is dead.
 */
export class ExpiryWatch {
  private seen: { version: string; since: number } | undefined;

  /** Records an observation; true when the lease it shows is free or expired. */
  observe(lease: StoredLease, fallbackTtlMs: number): boolean {
    const now = performance.now();
    if (!this.seen || this.seen.version !== lease.version) this.seen = { version: lease.version, since: now };
    if (lease.record?.released) return true;
    if (holderIsDead(lease.record?.holder)) return true;
    return now - this.seen.since >= (lease.record?.ttlMs ?? fallbackTtlMs);
  }

  /** How long this observer has seen the current version unchanged, ms. */
  unchangedForMs(): number {
    return this.seen ? performance.now() - this.seen.since : 0;
  }
}

const encode = (r: LeaseRecord) => JSON.stringify(r);

/** Takes the lease at `path`, waiting up to `options.waitMs` for another holder; renews it until released. */
export async function acquireLease(path: VfsPath, options: LeaseOptions): Promise<HeldLease> {
  const caps = await path.settledCapabilities(options.signal);
  if (!caps.atomicCreate && !caps.compareAndSwap) {
    throw new UnsupportedError(
      `Cannot take a lease at ${path.toString()}: this backend has neither atomic create nor compare-and-swap, so two holders could both believe they hold it`,
      { url: path.toString() },
    );
  }
  const record: LeaseRecord = { id: randomUUID(), holder: currentHolder(options.command), acquired: new Date().toISOString(), ttlMs: options.ttlMs, beat: 0 };
  const started = performance.now();
  const watch = new ExpiryWatch();
  const breakWatch = new ExpiryWatch();
  for (let round = 1; ; round++) {
    options.signal?.throwIfAborted();
    const sent = performance.now();
    const current = await readLease(path, options.signal);
    let version: string | undefined;
    if (!current) version = await tryCreate(path, record, options.signal);
    else if (watch.observe(current, options.ttlMs)) {
      if (current.record && !current.record.released) {
        options.logger?.log(
          1,
          `taking over the expired lease ${path.toString()} of ${describeHolder(current.record)} (${holderIsDead(current.record.holder) ? 'its process is gone' : `unchanged for ${Math.round(watch.unchangedForMs() / 1000)} s`})`,
        );
      }
      version = await takeOver(path, current, record, caps, options, breakWatch);
    }
    if (version !== undefined) return holdLease(path, record, version, sent, caps, options.logger);
    const delay = backoffDelay({ baseDelayMs: 20, maxDelayMs: Math.min(1_000, Math.max(20, options.ttlMs / 8)) }, Math.min(round, 8));
    if (performance.now() - started + delay > options.waitMs) {
      const holder = current?.record;
      throw new ConflictError(
        `Cannot take the lease ${path.toString()}: ${holder ? `held by ${describeHolder(holder)} (seen unchanged for ${Math.round(watch.unchangedForMs() / 1000)} s; it expires ${Math.round(holder.ttlMs / 1000)} s after its last renewal)` : 'another writer holds it'}. ` +
          `Wait for it, or if that holder is gone: ${holder && options.unlockHint ? options.unlockHint(holder) : `statestore rm ${path.toString()} --yes`}.`,
        { url: path.toString() },
      );
    }
    await sleep(delay, options.signal);
  }
}

export function describeHolder(r: LeaseRecord): string {
  return `${r.holder.user}@${r.holder.host} (pid ${r.holder.pid}${r.holder.command ? `, ${JSON.stringify(r.holder.command)}` : ''}, lease id ${r.id}, taken ${r.acquired})`;
}

async function tryCreate(path: VfsPath, record: LeaseRecord, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return (await path.createFile(encode(record), { ...(signal ? { signal } : {}) })).version;
  } catch (e) {
    if (isAlreadyExists(e)) return undefined;
    throw e;
  }
}

/** Replaces an expired or released lease by ours; undefined when someone else got there first. */
async function takeOver(path: VfsPath, seen: StoredLease, record: LeaseRecord, caps: Readonly<Capabilities>, options: LeaseOptions, breakWatch: ExpiryWatch): Promise<string | undefined> {
  const signal = options.signal;
  try {
    if (caps.compareAndSwap) return (await path.replaceFile(encode(record), { ifMatch: seen.version, ...(signal ? { signal } : {}) })).version;
    if (caps.conditionalDelete) {
      await path.remove({ ifMatch: seen.version, ...(signal ? { signal } : {}) });
      return await tryCreate(path, record, signal);
    }
  } catch (e) {
    if (isPreconditionFailed(e) || isNotFound(e)) return undefined;
    throw e;
  }
  return breakSerialised(path, seen, record, options, breakWatch);
}

/**
 * Atomic create only: breakers take `<lease>.break` (itself a lease, judged the same way) and remove the
 * lease only if it is still the version they judged expired.
 */
async function breakSerialised(path: VfsPath, seen: StoredLease, record: LeaseRecord, options: LeaseOptions, breakWatch: ExpiryWatch): Promise<string | undefined> {
  const breakPath = breakPathFor(path);
  const breakRecord: LeaseRecord = { ...record, id: randomUUID(), beat: 0 };
  if ((await tryCreate(breakPath, breakRecord, options.signal)) === undefined) {
    // Another breaker is at work; if it died holding the break object, clear that first (next round).
    const stale = await readLease(breakPath, options.signal);
    if (stale && breakWatch.observe(stale, options.ttlMs)) {
      const again = await readLease(breakPath, options.signal);
      if (again?.version === stale.version) await breakPath.remove();
    }
    return undefined;
  }
  try {
    const now = await readLease(path, options.signal);
    if (now && now.version !== seen.version) return undefined;
    if (now) await path.remove();
    return await tryCreate(path, record, options.signal);
  } finally {
    const mine = await readLease(breakPath).catch(() => undefined);
    if (mine?.record?.id === breakRecord.id) await breakPath.remove().catch(() => undefined);
  }
}

export function breakPathFor(path: VfsPath): VfsPath {
  const parent = path.parent();
  if (!parent) throw new UnsupportedError(`Cannot keep a lease at the root of a store (${path.toString()})`, { url: path.toString() });
  return parent.join(`${path.base()}.break`);
}

function holdLease(path: VfsPath, record: LeaseRecord, firstVersion: string, firstSent: number, caps: Readonly<Capabilities>, logger: Logger | undefined): HeldLease {
  const lostController = new AbortController();
  let version = firstVersion;
  let lastSent = firstSent;
  let released = false;
  const usableMs = (record.ttlMs * 2) / 3;
  const lose = (why: string) => {
    if (lostController.signal.aborted) return;
    logger?.log(0, `lost the lease ${path.toString()}: ${why}`);
    lostController.abort(new ConflictError(`Lost the lease ${path.toString()}: ${why}`, { url: path.toString() }));
  };
  let renewing: Promise<void> | undefined;
  const renew = async () => {
    const sent = performance.now();
    const next: LeaseRecord = { ...record, beat: record.beat + 1 };
    // A renewal must land while the lease is still ours to renew: its deadline is what is left of it.
    const signal = AbortSignal.any([lostController.signal, AbortSignal.timeout(Math.max(1, Math.floor(lastSent + usableMs - sent)))]);
    try {
      if (caps.compareAndSwap) version = (await path.replaceFile(encode(next), { ifMatch: version, signal })).version;
      else {
        const now = await readLease(path, signal);
        if (now?.record?.id !== record.id || now.version !== version) return lose(`it is now ${now?.record ? `held by ${describeHolder(now.record)}` : 'gone'}`);
        version = (await path.writeFile(encode(next), { signal })).version;
      }
      record.beat = next.beat;
      lastSent = sent;
    } catch (e) {
      if (isPreconditionFailed(e) || isNotFound(e)) return lose('someone else took it over');
      logger?.log(2, `renewing the lease ${path.toString()} failed (will retry): ${(e as Error).message}`);
    }
  };
  // Every tick: a lease not renewed in time is lost (whether or not a renewal is still on its way), else renew.
  const timer = setInterval(() => {
    if (released || lostController.signal.aborted) return;
    if (performance.now() - lastSent > usableMs) return lose(`it could not be renewed within ${Math.round(usableMs)} ms, so another holder may take it`);
    renewing ??= renew().finally(() => {
      renewing = undefined;
    });
  }, Math.max(5, Math.floor(record.ttlMs / 8)));
  timer.unref();

  return {
    record,
    lost: lostController.signal,
    remainingMs: () => Math.max(0, lastSent + usableMs - performance.now()),
    async assertHeld(signal?: AbortSignal) {
      if (lostController.signal.aborted) throw lostController.signal.reason;
      const now = await readLease(path, signal);
      if (now?.record?.id !== record.id) {
        lose(`it is now ${now?.record ? `held by ${describeHolder(now.record)}` : 'gone'}`);
        throw lostController.signal.reason;
      }
      if (performance.now() - lastSent > usableMs) {
        lose('it was not renewed in time');
        throw lostController.signal.reason;
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await renewing?.catch(() => undefined);
      if (lostController.signal.aborted) return;
      lostController.abort(new ConflictError(`The lease ${path.toString()} was released`, { url: path.toString() }));
      try {
        if (caps.conditionalDelete) await path.remove({ ifMatch: version });
        else if (caps.compareAndSwap) await path.replaceFile(encode({ ...record, beat: record.beat + 1, released: true }), { ifMatch: version });
        else {
          const now = await readLease(path);
          if (now?.record?.id === record.id) await path.remove();
        }
      } catch (e) {
        if (isPreconditionFailed(e) || isNotFound(e)) {
          logger?.log(0, `the lease ${path.toString()} had already been taken over when it was released`);
          return;
        }
        throw e;
      }
    },
  };
}
