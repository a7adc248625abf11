/**
 * Planning: what writing a cluster's manifests to the store would change, field by field, with the version of
 * every object read (so that apply can refuse a plan the store has moved past). A plan is a plain value (the
 * plan file is its JSON): the desired documents themselves, the store and cluster, the versions read ("absent"
 * included), the instance-group listing, and each change with the exact text it writes. Objects are compared
 * as kops reads them — configBase filled in, instance groups labelled with their cluster — and the fields the
 * store owns (creationTimestamp, generation) are kept from the store, generation bumped when a spec changes
 * as kops does; so `get all -o yaml` planned back shows no change. Instance groups and addon objects missing
 * from the manifests are deleted only with `prune`; the cluster never is. The outcome is validated as one
 * (kops's DeepValidate) before a plan with changes is returned, and again by apply before its first write.
 */
import { InvalidConfigError } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';
import { addonObjectErrors, mergeAddonObjects, parseAddonObjects, serializeAddonObjects, type AddonObject } from './addon-objects.js';
import { prepareUserCluster } from './build-cluster.js';
import { ClusterRegistry, decodeCluster, decodeInstanceGroup } from './cluster-registry.js';
import { readClusterState, storeKey, type ClusterState, type ObjectRead } from './cluster-state.js';
import { CLUSTER_LABEL, kopsTimestamp, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';
import type { KopsYamlDocument } from './kops-yaml.js';
import type { ClusterManifests, PlanDocument } from './manifests.js';
import { diffValues, type FieldChange, type ObjectDiff } from './object-diff.js';
import { clusterAddonsPath, clusterConfigPath, defaultConfigBase, instanceGroupPath } from './store-layout.js';
import { assertValidCluster } from './validate.js';

/** The `format` of plan files this version reads and writes. */
export const PLAN_FORMAT = 'statestore.plan/v1';

export type ChangeAction = 'create' | 'change' | 'delete';
export type PlannedKind = 'Cluster' | 'InstanceGroup' | 'ClusterAddons';

/** One object a plan writes or deletes. */
export interface PlannedChange {
  /** `Cluster/NAME`, `InstanceGroup/NAME` or `ClusterAddons/default`. */
  object: string;
  kind: PlannedKind;
  name: string;
  /** The file, relative to the store root. */
  key: string;
  action: ChangeAction;
  /** The fields that change (for `change`; the addons file lists its objects in `objects` instead). */
  fields: FieldChange[];
  /** ClusterAddons only: the addon objects added, changed or removed. */
  objects?: ObjectDiff[];
  /** The exact text written (absent for `delete`). */
  write?: string;
}

/** What `planCluster` returns and a plan file holds. */
export interface ClusterPlan {
  format: typeof PLAN_FORMAT;
  /** When the store was read (ISO 8601). */
  createdAt: string;
  /** The state store's URL. */
  store: string;
  cluster: string;
  prune: boolean;
  /** The desired documents themselves, as the manifests gave them. */
  documents: PlanDocument[];
  /** Every object read, by key relative to the store: the version and sha256 seen, or "absent". */
  read: Record<string, ObjectRead>;
  /** The file names under `{cluster}/instancegroup/` when the plan was made. */
  instanceGroups: string[];
  /** In the order apply carries them out: the cluster, instance groups, addons, then deletes. */
  changes: PlannedChange[];
}

export interface PlanOptions {
  /** Delete instance groups and addon objects the manifests do not name (never the cluster). */
  prune?: boolean;
  /** creationTimestamp stamped on new objects that have none (default now). */
  now?: Date;
  /** Opens URLs outside the store (the resolver it was opened with), for the vault:// checks of a changed cluster. */
  open?: (url: string) => Promise<VfsPath>;
  signal?: AbortSignal;
}

/** Fields the store owns: kept from the stored object whatever a manifest says. */
const STORE_OWNED = ['creationTimestamp', 'generation'] as const;

/** A value as it is compared: store-owned fields dropped, then `fill` (what kops adds when it reads). */
function comparable(value: Record<string, unknown>, fill: (copy: { metadata: Record<string, unknown>; spec?: Record<string, unknown> }) => void): Record<string, unknown> {
  const copy = structuredClone(value) as { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } & Record<string, unknown>;
  const metadata = (copy.metadata && typeof copy.metadata === 'object' ? copy.metadata : (copy.metadata = {})) as Record<string, unknown>;
  for (const field of STORE_OWNED) delete metadata[field];
  fill(copy as { metadata: Record<string, unknown> });
  return copy;
}

function clusterView(value: Record<string, unknown>, name: string, configBase: string): Record<string, unknown> {
  return comparable(value, (c) => {
    c.metadata.name ||= name;
    c.spec = c.spec && typeof c.spec === 'object' ? c.spec : {};
    c.spec.configBase ||= configBase;
  });
}

function groupView(value: Record<string, unknown>, cluster: string): Record<string, unknown> {
  return comparable(value, (c) => {
    const labels = c.metadata.labels && typeof c.metadata.labels === 'object' ? (c.metadata.labels as Record<string, unknown>) : {};
    c.metadata.labels = { ...labels, [CLUSTER_LABEL]: cluster };
  });
}

/** The desired document as written over a stored object: the store-owned fields kept, generation bumped on a spec change. */
function overStored(desired: KopsYamlDocument, stored: Record<string, unknown>, specChanged: boolean): string {
  const doc = desired.clone();
  const meta = (stored.metadata ?? {}) as { creationTimestamp?: unknown; generation?: unknown };
  if (meta.creationTimestamp !== undefined && doc.getIn(['metadata', 'creationTimestamp']) !== meta.creationTimestamp) doc.setIn(['metadata', 'creationTimestamp'], meta.creationTimestamp);
  const generation = specChanged ? (typeof meta.generation === 'number' ? meta.generation : 0) + 1 : meta.generation;
  if (generation === undefined) doc.deleteIn(['metadata', 'generation']);
  else if (doc.getIn(['metadata', 'generation']) !== generation) doc.setIn(['metadata', 'generation'], generation);
  return doc.toString();
}

/** A new object's text: stamped with creationTimestamp when it has none, as kops's create does. */
function stamped(desired: KopsYamlDocument, now: Date): string {
  if (desired.getIn(['metadata', 'creationTimestamp'])) return desired.toString();
  const doc = desired.clone();
  doc.setIn(['metadata', 'creationTimestamp'], kopsTimestamp(now));
  return doc.toString();
}

function specChanged(fields: readonly FieldChange[]): boolean {
  return fields.some((f) => f.path === 'spec' || f.path.startsWith('spec.') || f.path.startsWith('spec['));
}

/** Where a planned object lives. */
export function plannedPath(store: VfsPath, cluster: string, kind: PlannedKind, name: string): VfsPath {
  if (kind === 'Cluster') return clusterConfigPath(store, cluster);
  if (kind === 'InstanceGroup') return instanceGroupPath(store, cluster, name);
  return clusterAddonsPath(store, cluster);
}

/**
 * Compares the manifests with the store and returns the plan. Reads only; InvalidConfigError when the outcome
 * would not be valid (kops's validation of the cluster with all its instance groups, and of the addon objects),
 * or when the cluster does not exist and the manifests hold no Cluster document to create it from.
 */
export async function planCluster(store: VfsPath, manifests: ClusterManifests, options: PlanOptions = {}): Promise<ClusterPlan> {
  const prune = options.prune ?? false;
  const now = options.now ?? new Date();
  const { cluster } = manifests;
  const state = await readClusterState(store, cluster, { instanceGroups: manifests.instanceGroups.map((g) => g.name), ...(options.signal ? { signal: options.signal } : {}) });
  const configBase = defaultConfigBase(store, cluster);
  const key = (kind: PlannedKind, name: string) => storeKey(store, plannedPath(store, cluster, kind, name));
  const change = (kind: PlannedKind, name: string, action: ChangeAction, rest: Partial<PlannedChange> = {}): PlannedChange => ({
    object: `${kind}/${name}`,
    kind,
    name,
    key: key(kind, name),
    action,
    fields: [],
    ...rest,
  });

  const writes: PlannedChange[] = [];
  const desiredCluster = manifests.clusterDocument;
  if (!state.config && !desiredCluster) {
    throw new InvalidConfigError(`cluster ${JSON.stringify(cluster)} does not exist in ${store.toString()}; add its Cluster document to the manifests to create it`, {
      url: clusterConfigPath(store, cluster).toString(),
    });
  }
  if (desiredCluster && !state.config) {
    writes.push(change('Cluster', cluster, 'create', { write: prepareUserCluster(desiredCluster.doc, { configBase, now }).toString() }));
  } else if (desiredCluster && state.config) {
    const stored = state.config.doc.toJS();
    const fields = diffValues(clusterView(stored, cluster, configBase), clusterView(desiredCluster.doc.toJS(), cluster, configBase), '');
    if (fields.length > 0) writes.push(change('Cluster', cluster, 'change', { fields, write: overStored(desiredCluster.doc, stored, specChanged(fields)) }));
  }

  const desiredNames = new Set<string>();
  for (const group of [...manifests.instanceGroups].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    desiredNames.add(group.name);
    const stored = state.instanceGroups.get(group.name);
    if (!stored) {
      writes.push(change('InstanceGroup', group.name, 'create', { write: stamped(group.doc, now) }));
      continue;
    }
    const before = stored.doc.toJS();
    const fields = diffValues(groupView(before, cluster), groupView(group.doc.toJS(), cluster), '');
    if (fields.length > 0) writes.push(change('InstanceGroup', group.name, 'change', { fields, write: overStored(group.doc, before, specChanged(fields)) }));
  }

  const addons = mergeAddonObjects(state.addons?.objects ?? [], manifests.addons.map((a) => a.object), prune);
  if (!state.addons && (!state.config || addons.objects.length > 0)) {
    // kops's create always writes the file, empty when there are no objects
    writes.push(change('ClusterAddons', 'default', 'create', { objects: addons.diffs, write: serializeAddonObjects(addons.objects) }));
  } else if (state.addons && addons.diffs.length > 0) {
    writes.push(change('ClusterAddons', 'default', 'change', { objects: addons.diffs, write: serializeAddonObjects(addons.objects) }));
  }

  const deletes = prune ? [...state.instanceGroups.keys()].filter((name) => !desiredNames.has(name)).map((name) => change('InstanceGroup', name, 'delete')) : [];
  const changes = [...writes, ...deletes];
  if (changes.length > 0) await assertValidOutcome(store, state, changes, options);
  return {
    format: PLAN_FORMAT,
    createdAt: now.toISOString(),
    store: store.toString(),
    cluster,
    prune,
    documents: manifests.documents,
    read: state.reads,
    instanceGroups: state.listing,
    changes,
  };
}

/**
 * Validates what the store will hold once `changes` are carried out on `state`, as one: the cluster with all
 * its instance groups (kops's ValidateCluster, ValidateClusterUpdate against the stored cluster, DeepValidate),
 * the addon objects, and the vault:// rules. InvalidConfigError listing every problem; nothing is written.
 */
export async function assertValidOutcome(store: VfsPath, state: ClusterState, changes: readonly PlannedChange[], options: { open?: (url: string) => Promise<VfsPath> } = {}): Promise<void> {
  const { cluster } = state;
  const configBase = defaultConfigBase(store, cluster);
  const byKind = (kind: PlannedKind) => changes.filter((c) => c.kind === kind);
  const textOf = (c: PlannedChange): string => {
    if (c.write === undefined) throw new InvalidConfigError(`the plan's ${c.action} of ${c.object} has no text to write`);
    return c.write;
  };

  const clusterChange = byKind('Cluster')[0];
  let object: KopsCluster | undefined = state.config?.object;
  if (clusterChange) {
    if (clusterChange.action === 'delete') throw new InvalidConfigError(`a plan never deletes the cluster ${cluster}; make a new plan`);
    object = decodeCluster(textOf(clusterChange), `${clusterChange.object} (planned)`, cluster, configBase).cluster;
    if (object.metadata.name !== cluster) throw new InvalidConfigError(`cluster name did not match expected name: ${String(object.metadata.name)} vs ${cluster}; a cluster cannot be renamed`);
  }
  if (!object) throw new InvalidConfigError(`cluster ${JSON.stringify(cluster)} does not exist in ${store.toString()}; add its Cluster document to the manifests to create it`);

  const groups = new Map<string, KopsInstanceGroup>([...state.instanceGroups].map(([name, g]) => [name, g.object]));
  for (const c of byKind('InstanceGroup')) {
    if (c.action === 'delete') {
      groups.delete(c.name);
      continue;
    }
    const group = decodeInstanceGroup(textOf(c), `${c.object} (planned)`, cluster).instanceGroup;
    if (group.metadata.name !== c.name) throw new InvalidConfigError(`instance group name did not match expected name: ${String(group.metadata.name)} vs ${c.name}`);
    groups.set(c.name, group);
  }
  assertValidCluster(object, [...groups.values()], { ...(state.config && clusterChange ? { previous: state.config.object } : {}), source: `Cluster ${cluster}` });

  const addonsChange = byKind('ClusterAddons')[0];
  const addons: AddonObject[] = addonsChange ? parseAddonObjects(textOf(addonsChange), `${addonsChange.object} (planned)`) : (state.addons?.objects ?? []);
  const addonErrors = addons.flatMap(addonObjectErrors);
  if (addonErrors.length > 0) throw new InvalidConfigError(`the addon objects of cluster ${cluster} are not valid:\n  ${addonErrors.join('\n  ')}`);

  if (clusterChange) await new ClusterRegistry(store, options.open ? { open: options.open } : {}).checkVaultStores({ name: cluster, spec: object.spec });
}

/** How many objects a plan creates, changes and deletes. */
export function planSummary(plan: Pick<ClusterPlan, 'changes'>): Record<ChangeAction, number> {
  const summary: Record<ChangeAction, number> = { create: 0, change: 0, delete: 0 };
  for (const c of plan.changes) summary[c.action]++;
  return summary;
}
