/**
 * How the lock commands show a cluster lease: one plain object (for -o json), a table row and a sentence.
 * "Held for" is measured from the time the holder wrote, by this host's clock (the holder's may differ).
 */
import { heldForMs, type LeaseRecord, type StoredLease } from '@statestore/core';

/** A lease as `lock list -o json` and `lock status -o json` print it. */
export interface LeaseView {
  cluster: string;
  id: string;
  user: string;
  host: string;
  pid: number;
  command: string;
  acquired: string;
  /** Seconds since `acquired`, by this host's clock. */
  heldForSeconds: number | null;
  /** It counts as expired this many seconds after its last renewal (as an observer sees it). */
  ttlSeconds: number;
}

export function leaseView(cluster: string, lease: StoredLease): LeaseView {
  const r: LeaseRecord | undefined = lease.record;
  const held = r ? heldForMs(r) : undefined;
  return {
    cluster,
    id: r?.id ?? '(unreadable)',
    user: r?.holder.user ?? '',
    host: r?.holder.host ?? '',
    pid: r?.holder.pid ?? 0,
    command: r?.holder.command ?? '',
    acquired: r?.acquired ?? '',
    heldForSeconds: held === undefined ? null : Math.round(held / 1000),
    ttlSeconds: Math.round((r?.ttlMs ?? 0) / 1000),
  };
}

export function leaseRow(v: LeaseView): string[] {
  return [v.cluster, `${v.user}@${v.host}`, String(v.pid), v.heldForSeconds === null ? '?' : `${v.heldForSeconds}s`, v.id, v.command];
}

export const LEASE_HEADERS = ['CLUSTER', 'HOLDER', 'PID', 'HELD', 'LEASE ID', 'COMMAND'] as const;

export function leaseSentence(v: LeaseView): string {
  return (
    `${v.cluster}: held by ${v.user}@${v.host} (pid ${v.pid}${v.command ? `, ${JSON.stringify(v.command)}` : ''}) since ${v.acquired}` +
    `${v.heldForSeconds === null ? '' : ` (${v.heldForSeconds} s ago by this host's clock)`}, lease id ${v.id}; it expires ${v.ttlSeconds} s after its last renewal`
  );
}
