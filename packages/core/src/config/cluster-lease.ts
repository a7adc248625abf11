/**
 * config/cluster-lease owns the per-cluster lease that keeps two operators apart: one lease (path/lease.ts)
 * per cluster at `{store}/.statestore/leases/{cluster}` — never inside the cluster folder, where deleting
 * the cluster would remove it, and never a key ending in `/config`, which kops would read as a cluster.
 * Every mutating Statestore command runs inside `withClusterLease`, and so can a library user; a process
 * started under a held lease (`statestore lock run`, which exports its id as STATESTORE_LEASE) joins it
 * instead of waiting for it. Nothing here changes what kops reads.
 */
import { ConflictError, InvalidConfigError } from '../errors/errors.js';
import type { HeldLease } from '../path/held-lease.js';
import { acquireLease, readCurrentLease, type StoredLease } from '../path/lease.js';
import type { Logger } from '../path/store-context.js';
import type { VfsPath } from '../path/vfs-path.js';
import { RESERVED_FOLDER } from '../url/keys.js';
import { safeForMessage } from '../url/parse-url.js';

/** The variable `statestore lock run` exports: the id of the lease its command runs under. */
export const LEASE_ENV = 'STATESTORE_LEASE';
/** How long a command waits for another holder by default, ms. */
export const DEFAULT_LEASE_WAIT_MS = 60_000;

export interface ClusterLeaseOptions {
  /** What the holder does, for other operators to read (no secrets). */
  command?: string;
  /** How long to wait for another holder, ms (default 60 000; 0 fails at once). */
  waitMs?: number;
  /** Time-to-live, ms (default: the store's `lockLeaseMs`, 30 000). */
  ttlMs?: number;
  /** Join the lease with this id instead of waiting, when it is the one this cluster's lease holds (STATESTORE_LEASE). */
  joinId?: string;
  logger?: Logger;
  signal?: AbortSignal;
}

/** The folder of a store that holds the cluster leases. */
export function clusterLeaseFolder(store: VfsPath): VfsPath {
  return store.join(RESERVED_FOLDER, 'leases');
}

/**
 * Where the lease of `cluster` is kept. A cluster named `config` (possible when its DNS is none) has its
 * lease at `config~` so that no key ends in `/config`; `~` is in no DNS name, so no other cluster collides.
 */
export function clusterLeasePath(store: VfsPath, cluster: string): VfsPath {
  if (cluster === '' || cluster.includes('/') || cluster.startsWith('.')) {
    throw new InvalidConfigError(`Cannot take a lease for the cluster ${JSON.stringify(cluster)}: a cluster name is one DNS name (letters, digits, '-' and '.'), not a path`);
  }
  return clusterLeaseFolder(store).join(cluster === 'config' ? 'config~' : cluster);
}

/**
 * Runs `fn` while holding the lease of `cluster` in `store`, waiting for another holder up to
 * `options.waitMs`, renewing it meanwhile, and releasing it when `fn` settles. With `joinId` naming the
 * lease this cluster's lease holds now, `fn` runs under that lease without taking it (nor releasing it).
 * A holder that gives up waiting gets ConflictError naming the holder and how to break its lease.
 */
export async function withClusterLease<T>(store: VfsPath, cluster: string, options: ClusterLeaseOptions, fn: (lease: HeldLease) => Promise<T>): Promise<T> {
  const path = clusterLeasePath(store, cluster);
  if (options.joinId) {
    const current = await readCurrentLease(path, options.signal);
    if (current?.record?.id === options.joinId) {
      options.logger?.log(2, `joining the lease ${path.toString()} (${LEASE_ENV}=${options.joinId})`);
      return fn(joinedLease(path, current));
    }
  }
  const lease = await acquireLease(path, {
    ttlMs: options.ttlMs ?? store.leaseDefaults().ttlMs,
    waitMs: options.waitMs ?? DEFAULT_LEASE_WAIT_MS,
    ...(options.command !== undefined ? { command: options.command } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    unlockHint: (record) => `statestore unlock ${cluster} --id ${record.id} --state ${safeForMessage(store.toString())}`,
  });
  try {
    return await fn(lease);
  } finally {
    await lease.release().catch((e: Error) => options.logger?.log(0, `could not release the lease ${path.toString()}: ${e.message} (it expires by itself)`));
  }
}

/** A lease another process holds and renews, seen from a process that runs under it. */
function joinedLease(path: VfsPath, joined: StoredLease): HeldLease {
  const record = joined.record!;
  const lost = new AbortController();
  return {
    record,
    lost: lost.signal,
    remainingMs: () => (lost.signal.aborted ? 0 : (record.ttlMs * 2) / 3),
    async assertHeld(signal) {
      const now = await readCurrentLease(path, signal);
      if (now?.record?.id !== record.id) {
        lost.abort(new ConflictError(`The lease ${path.toString()} (${LEASE_ENV}=${record.id}) is no longer held by the process this one runs under`, { url: path.toString() }));
        throw lost.signal.reason;
      }
    },
    release: async () => undefined,
  };
}

/** The cluster leases of a store as they stand (held, or on Swift held or next to be), by cluster name. */
export async function listClusterLeases(store: VfsPath, signal?: AbortSignal): Promise<{ cluster: string; path: VfsPath; lease: StoredLease }[]> {
  const out: { cluster: string; path: VfsPath; lease: StoredLease }[] = [];
  const names = new Set((await clusterLeaseFolder(store).readDir({ ...(signal ? { signal } : {}) })).map((e) => e.name));
  for (const name of [...names].sort()) {
    const cluster = name === 'config~' ? 'config' : name;
    if (cluster.startsWith('.') || cluster === '') continue;
    const path = clusterLeasePath(store, cluster);
    const lease = await readCurrentLease(path, signal);
    if (lease) out.push({ cluster, path, lease });
  }
  return out;
}
