/**
 * path/lease owns taking a lease: one object (or, without any atomic operation, one folder of candidates)
 * that says who may change something, for how long, and that the holder is still alive. Every exclusive
 * section in Statestore is one (the per-file lock of updateFile on backends without compare-and-swap; the
 * per-cluster lease of the CLI, config/cluster-lease.ts). The record and expiry are lease-record.ts; holding
 * and renewing is held-lease.ts. Taking over an expired lease, releasing it and breaking it by hand depend
 * on what the backend can do:
 *
 * - Compare-and-swap or conditional delete: exact (a release without conditional delete writes a
 *   `released` record by compare-and-swap).
 * - Atomic create only (OSS): breakers serialise on a second object (`<lease>~break.statestore-lock`) and
 *   act only if the lease is still the version they judged; what remains is a breaker or releaser paused
 *   for longer than a TTL between its check and its action.
 * - Neither (Swift): the candidate protocol of candidate-lease.ts, on unique names, a listing and a settle
 *   delay.
 *
 * packages/resilience/README.md gives the windows measured per capability.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Capabilities } from '../backend/backend.js';
import { UnsupportedError, isAlreadyExists, isNotFound, isPreconditionFailed } from '../errors/errors.js';
import { backoffDelay, sleep } from '../retry/retry.js';
import { LOCK_SUFFIX } from '../url/keys.js';
import { acquireByCandidates, breakCandidateHolder, readCandidateHolder } from './candidate-lease.js';
import { holdLease, type HeldLease } from './held-lease.js';
import { ExpiryWatch, changedHands, encodeLease, gaveUp, logTakeover, newLeaseRecord, readLease, type LeaseRecord, type StoredLease } from './lease-record.js';
import type { Logger } from './store-context.js';
import type { VfsPath } from './vfs-path.js';

export { currentHolder, describeHolder, ExpiryWatch, heldForMs, holderIsDead, parseLease, readLease, type LeaseHolder, type LeaseRecord, type StoredLease } from './lease-record.js';
export type { HeldLease } from './held-lease.js';

export interface LeaseOptions {
  /** Time-to-live, ms. */
  ttlMs: number;
  /** How long to wait for a lease that someone else holds (0: fail at once). */
  waitMs: number;
  /**
   * Backends with neither compare-and-swap nor atomic create only: how long after a write its listing may
   * still miss it, ms (default: what the path's store was opened with). See candidate-lease.ts.
   */
  settleMs?: number;
  /** What the holder is doing, for other operators to read (no secrets). */
  command?: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** How to tell the user to break a lease by hand, for the message when waiting gives up. */
  unlockHint?: (record: LeaseRecord) => string;
}

/** Takes the lease at `path`, waiting up to `options.waitMs` for another holder; renews it until released. */
export async function acquireLease(path: VfsPath, options: LeaseOptions): Promise<HeldLease> {
  const caps = await path.settledCapabilities(options.signal);
  if (usesCandidates(caps)) return acquireByCandidates(path, { ...options, settleMs: options.settleMs ?? path.leaseDefaults().settleMs }, caps);
  const record = newLeaseRecord(options);
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
      if (current.record && !current.record.released) logTakeover(path, current.record, watch, options.logger);
      version = await takeOver(path, current, record, caps, options, breakWatch);
    }
    if (version !== undefined) return holdLease(path, record, version, sent, caps, options.logger);
    const delay = backoffDelay({ baseDelayMs: 20, maxDelayMs: Math.min(1_000, Math.max(20, options.ttlMs / 8)) }, Math.min(round, 8));
    if (performance.now() - started + delay > options.waitMs) throw gaveUp(path, current?.record, watch, options.unlockHint, `statestore rm ${path.toString()} --yes`);
    await sleep(delay, options.signal);
  }
}

/** True when the backend gives no atomic operation at all, so a lease is a folder of candidates (Swift). */
export function usesCandidates(caps: Readonly<Capabilities>): boolean {
  return !caps.atomicCreate && !caps.compareAndSwap;
}

/**
 * The lease at `path` as it stands, for people (`lock status`, `lock list`): the stored record, or on a
 * backend without atomic operations the candidate that holds it or is next to. Undefined when free.
 */
export async function readCurrentLease(path: VfsPath, signal?: AbortSignal): Promise<StoredLease | undefined> {
  if (usesCandidates(await path.settledCapabilities(signal))) return readCandidateHolder(path, signal);
  const current = await readLease(path, signal);
  return current?.record?.released ? undefined : current;
}

/**
 * Breaks the lease at `path` by hand and returns the record it removed (undefined when it was free). With
 * `id`, only if the lease still has that id: PreconditionFailedError when it has changed hands (exactly
 * where the backend has compare-and-swap or conditional delete; check-then-delete otherwise).
 */
export async function breakLease(path: VfsPath, options: { id?: string; signal?: AbortSignal } = {}): Promise<LeaseRecord | undefined> {
  const caps = await path.settledCapabilities(options.signal);
  if (usesCandidates(caps)) return breakCandidateHolder(path, options);
  const signal = options.signal ? { signal: options.signal } : {};
  let current = await readLease(path, options.signal);
  if (!current || current.record?.released) return undefined;
  const id = options.id ?? current.record?.id;
  if (options.id !== undefined && current.record?.id !== options.id) throw changedHands(path, options.id, current.record);
  // A live holder renews its lease (a new version, same id) every eighth of its TTL: a renewal that lands
  // between our read and our removal is the same lease, so read again and retry; another id is not.
  for (let attempt = 1; ; attempt++) {
    try {
      if (caps.conditionalDelete) await path.remove({ ifMatch: current.version, ...signal });
      else if (caps.compareAndSwap) await path.replaceFile(encodeLease({ ...(current.record ?? newLeaseRecord({ ttlMs: 0 })), released: true }), { ifMatch: current.version, ...signal });
      else await path.remove(signal);
      return current.record;
    } catch (e) {
      if (!isPreconditionFailed(e) && !isNotFound(e)) throw e;
      const now = await readLease(path, options.signal);
      if (!now || now.record?.released || id === undefined || now.record?.id !== id || attempt >= BREAK_ATTEMPTS) {
        throw changedHands(path, id ?? '(unreadable)', now?.record?.released ? undefined : now?.record);
      }
      current = now;
    }
  }
}

/** How often breakLease reads again when the holder's heartbeat renewed the lease under it. */
const BREAK_ATTEMPTS = 8;

async function tryCreate(path: VfsPath, record: LeaseRecord, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return (await path.createFile(encodeLease(record), { ...(signal ? { signal } : {}) })).version;
  } catch (e) {
    if (isAlreadyExists(e)) return undefined;
    throw e;
  }
}

/** Replaces an expired or released lease by ours; undefined when someone else got there first. */
async function takeOver(path: VfsPath, seen: StoredLease, record: LeaseRecord, caps: Readonly<Capabilities>, options: LeaseOptions, breakWatch: ExpiryWatch): Promise<string | undefined> {
  const signal = options.signal;
  try {
    if (caps.compareAndSwap) return (await path.replaceFile(encodeLease(record), { ifMatch: seen.version, ...(signal ? { signal } : {}) })).version;
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
 * Atomic create only: breakers take the break object (itself a lease, judged the same way) and remove the
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

/**
 * The object breakers of `path` serialise on. Its name cannot be another lease's (a cluster name is a DNS
 * name, which has no `~`) and is hidden from listings (it ends in `.statestore-lock`).
 */
export function breakPathFor(path: VfsPath): VfsPath {
  const parent = path.parent();
  if (!parent) throw new UnsupportedError(`Cannot keep a lease at the root of a store (${path.toString()})`, { url: path.toString() });
  return parent.join(`${path.base()}~break${LOCK_SUFFIX}`);
}
