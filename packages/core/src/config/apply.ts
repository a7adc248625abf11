/**
 * Applying a plan: exactly the plan's writes, under the cluster's lease, each conditional on the version the
 * plan read. Before the first write: the store is read again and a plan it has moved past is refused
 * (StalePlanError naming every object changed, added or removed; nothing written), and the outcome is
 * validated as one. Objects the store already holds as the plan would write them (the landed part of an
 * earlier run of the same plan) are recognised and skipped, so an apply that stopped part-way
 * (ApplyIncompleteError: what landed, what failed, what was not written) is resumed by applying the same plan
 * again. `applyManifests` plans and applies in one go, under one lease.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { sha256Hex } from '../path/body.js';
import type { VfsPath } from '../path/vfs-path.js';
import { StalePlanError, type MovedObject, type WriteOutcome } from './apply-errors.js';
import { carryOutWrites } from './apply-writes.js';
import { readClusterState, storeKey, type ClusterState, type ObjectRead } from './cluster-state.js';
import type { ClusterManifests } from './manifests.js';
import { assertValidOutcome, planCluster, plannedPath, type ClusterPlan, type PlanOptions, type PlannedChange } from './plan.js';
import { withClusterLease } from './cluster-lease.js';
import { instanceGroupPath } from './store-layout.js';

/** Runs `fn` while holding the cluster's lease (`.statestore/leases/CLUSTER`, config/cluster-lease.ts). */
export type ClusterLeaseRunner = <T>(cluster: string, fn: () => Promise<T>) => Promise<T>;

export interface ApplyOptions {
  /** Takes the cluster's lease around the whole apply (re-reading the store included); default withClusterLease. */
  withLease?: ClusterLeaseRunner;
  /** Why (`apply -m`): kept in the report. The history records it when the store is tracked by an `Operation` whose attribution carries it (as the CLI's is). */
  message?: string;
  /** Opens URLs outside the store (the resolver it was opened with), for the vault:// checks of a changed cluster. */
  open?: (url: string) => Promise<VfsPath>;
  signal?: AbortSignal;
}

/** What an apply did. */
export interface ApplyReport {
  store: string;
  cluster: string;
  message?: string;
  /** Written by this run, in order. */
  applied: WriteOutcome[];
  /** Found already written by an earlier run of the same plan, and skipped. */
  alreadyApplied: WriteOutcome[];
}

/**
 * The one place apply (and history's rollback and undelete, which are applies) takes the cluster's lease: the
 * caller's `withLease` (the CLI passes its own, with its wait and STATESTORE_LEASE), else `withClusterLease`
 * with its defaults.
 */
export function underClusterLease<T>(
  store: VfsPath,
  cluster: string,
  options: { withLease?: ClusterLeaseRunner; signal?: AbortSignal },
  command: string,
  fn: () => Promise<T>,
): Promise<T> {
  if (options.withLease) return options.withLease(cluster, fn);
  return withClusterLease(store, cluster, { command: `${command} ${cluster}`, ...(options.signal ? { signal: options.signal } : {}) }, () => fn());
}

/** Carries out `plan` on `store` (which must be the store it was made for). */
export async function applyPlan(store: VfsPath, plan: ClusterPlan, options: ApplyOptions = {}): Promise<ApplyReport> {
  if (plan.store !== store.toString()) {
    throw new InvalidConfigError(`the plan was made for the state store ${plan.store}, not ${store.toString()}; apply it to its own store, or make a new plan`, { url: store.toString() });
  }
  return underClusterLease(store, plan.cluster, options, 'apply', () => carryOut(store, plan, options));
}

/** Plans the manifests and carries the plan out, under one lease (nothing can move in between). */
export async function applyManifests(store: VfsPath, manifests: ClusterManifests, options: ApplyOptions & PlanOptions = {}): Promise<{ plan: ClusterPlan; report: ApplyReport }> {
  return underClusterLease(store, manifests.cluster, options, 'apply', async () => {
    const plan = await planCluster(store, manifests, options);
    return { plan, report: await carryOut(store, plan, options) };
  });
}

const outcome = (c: PlannedChange): WriteOutcome => ({ object: c.object, key: c.key, action: c.action });

function sameRead(a: ObjectRead | undefined, b: ObjectRead | undefined): boolean {
  if (a === 'absent' || b === 'absent' || !a || !b) return a === b;
  return a.version === b.version && a.sha256 === b.sha256;
}

/** True when the store already holds what the change would leave. */
function alreadyDone(change: PlannedChange, now: ObjectRead | undefined): boolean {
  if (change.action === 'delete') return now === 'absent';
  return now !== undefined && now !== 'absent' && change.write !== undefined && now.sha256 === sha256Hex(new TextEncoder().encode(change.write));
}

async function carryOut(store: VfsPath, plan: ClusterPlan, options: ApplyOptions): Promise<ApplyReport> {
  const { cluster } = plan;
  for (const c of plan.changes) {
    const key = storeKey(store, plannedPath(store, cluster, c.kind, c.name));
    if (c.key !== key || plan.read[c.key] === undefined) throw new InvalidConfigError(`the plan is inconsistent: ${c.object} should be at ${key} and have been read by the plan; make a new plan`);
  }
  const groups = plan.changes.filter((c) => c.kind === 'InstanceGroup').map((c) => c.name);
  const state = await readClusterState(store, cluster, { instanceGroups: [...plan.instanceGroups, ...groups], ...(options.signal ? { signal: options.signal } : {}) });
  const { pending, alreadyApplied } = checkNotStale(store, plan, state);
  if (pending.length > 0) await assertValidOutcome(store, state, pending, options);

  const writes = pending.map((c) => ({ ...outcome(c), path: plannedPath(store, cluster, c.kind, c.name), expected: plan.read[c.key]!, ...(c.write !== undefined ? { data: c.write } : {}) }));
  const applied = await carryOutWrites({ store: plan.store, cluster }, writes, { alreadyApplied: alreadyApplied.map(outcome), ...(options.signal ? { signal: options.signal } : {}) });
  return { store: plan.store, cluster, ...(options.message !== undefined ? { message: options.message } : {}), applied, alreadyApplied: alreadyApplied.map(outcome) };
}

/**
 * Compares what the plan read with the store now. An object read differently is fine only when it is one the
 * plan changes and it already holds the planned result; the instance-group listing may differ only by those.
 * Anything else is StalePlanError.
 */
/** `Kind/name` of a cluster's file, from its key (`C/config`, `C/instancegroup/N`, `C/clusteraddons/default`). */
function objectAt(cluster: string, key: string): string {
  const rest = key.slice(cluster.length + 1);
  if (rest.startsWith('instancegroup/')) return `InstanceGroup/${rest.slice('instancegroup/'.length)}`;
  return rest === 'config' ? `Cluster/${cluster}` : 'ClusterAddons/default';
}

function checkNotStale(store: VfsPath, plan: ClusterPlan, state: ClusterState): { pending: PlannedChange[]; alreadyApplied: PlannedChange[] } {
  const planned = new Map(plan.changes.map((c) => [c.key, c]));
  const moved = new Map<string, MovedObject>();
  const done = new Set<PlannedChange>();
  for (const [key, was] of Object.entries(plan.read)) {
    const now = state.reads[key];
    if (now === undefined) throw new InvalidConfigError(`the plan records ${key}, which is not one of cluster ${plan.cluster}'s objects; make a new plan`);
    if (sameRead(was, now)) continue;
    const change = planned.get(key);
    if (change && alreadyDone(change, now)) done.add(change);
    else moved.set(key, { key, object: change?.object ?? objectAt(plan.cluster, key), change: was === 'absent' ? 'added' : now === 'absent' ? 'removed' : 'changed', was, now });
  }
  const expected = new Set(plan.instanceGroups);
  for (const c of done) {
    if (c.kind !== 'InstanceGroup') continue;
    if (c.action === 'delete') expected.delete(c.name);
    else expected.add(c.name);
  }
  const listed = new Set(state.listing);
  const keyOf = (name: string) => storeKey(store, instanceGroupPath(store, plan.cluster, name));
  for (const name of listed) if (!expected.has(name) && !moved.has(keyOf(name))) moved.set(keyOf(name), { key: keyOf(name), object: `InstanceGroup/${name}`, change: 'added', was: 'absent', now: state.reads[keyOf(name)] ?? 'absent' });
  for (const name of expected) if (!listed.has(name) && !moved.has(keyOf(name))) moved.set(keyOf(name), { key: keyOf(name), object: `InstanceGroup/${name}`, change: 'removed', was: plan.read[keyOf(name)] ?? 'absent', now: 'absent' });
  if (moved.size > 0) throw new StalePlanError(plan.cluster, [...moved.values()].sort((a, b) => (a.key < b.key ? -1 : 1)), { url: plan.store, createdAt: plan.createdAt });
  return { pending: plan.changes.filter((c) => !done.has(c)), alreadyApplied: plan.changes.filter((c) => done.has(c)) };
}
