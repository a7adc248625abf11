/**
 * path/lease-record owns what a lease object says and how an observer judges it: the record (holder, TTL,
 * heartbeat count), reading it, who this process is, and expiry on the observer's own monotonic clock (a
 * stored version unchanged for a whole TTL since this observer first saw it, or at once when the holder is
 * a dead process of this host). Nobody's wall clock is trusted, so a skewed clock neither expires a live
 * lease early nor keeps a dead one late.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ConflictError, PreconditionFailedError } from '../errors/errors.js';
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

export const encodeLease = (r: LeaseRecord): string => JSON.stringify(r);

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

export function describeHolder(r: LeaseRecord): string {
  return `${r.holder.user}@${r.holder.host} (pid ${r.holder.pid}${r.holder.command ? `, ${JSON.stringify(r.holder.command)}` : ''}, lease id ${r.id}, taken ${r.acquired})`;
}

/** How long ago a record says it was taken, by this host's clock (for people: the holder's clock may differ). */
export function heldForMs(r: LeaseRecord): number | undefined {
  const taken = Date.parse(r.acquired);
  return Number.isFinite(taken) ? Math.max(0, Date.now() - taken) : undefined;
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

/** @internal A new record for this process. */
export function newLeaseRecord(options: { command?: string | undefined; ttlMs: number }): LeaseRecord {
  return { id: randomUUID(), holder: currentHolder(options.command), acquired: new Date().toISOString(), ttlMs: options.ttlMs, beat: 0 };
}

/** @internal */
export function logTakeover(path: VfsPath, record: LeaseRecord, watch: ExpiryWatch, logger: Logger | undefined): void {
  logger?.log(
    1,
    `taking over the expired lease ${path.toString()} of ${describeHolder(record)} (${holderIsDead(record.holder) ? 'its process is gone' : `unchanged for ${Math.round(watch.unchangedForMs() / 1000)} s`})`,
  );
}

/** @internal The error of a waiter that gives up: who holds the lease, for how long, and how to break it. */
export function gaveUp(path: VfsPath, holder: LeaseRecord | undefined, watch: ExpiryWatch, unlockHint: ((record: LeaseRecord) => string) | undefined, defaultHint: string): ConflictError {
  const held = holder ? heldForMs(holder) : undefined;
  return new ConflictError(
    `Cannot take the lease ${path.toString()}: ${
      holder
        ? `held by ${describeHolder(holder)}${held !== undefined ? ` for ${formatSeconds(held)} (by its clock)` : ''}; seen unchanged for ${formatSeconds(watch.unchangedForMs())}, it expires ${formatSeconds(holder.ttlMs)} after its last renewal`
        : 'another writer holds it'
    }. Wait for it, or if that holder is gone: ${holder && unlockHint ? unlockHint(holder) : defaultHint}.`,
    { url: path.toString() },
  );
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/** @internal */
export function changedHands(path: VfsPath, id: string, now: LeaseRecord | undefined): PreconditionFailedError {
  return new PreconditionFailedError(
    `Refused: the lease ${path.toString()} is ${now ? `held by ${describeHolder(now)}` : 'free'}, not lease id ${id}; nothing was removed`,
    { url: path.toString() },
  );
}
