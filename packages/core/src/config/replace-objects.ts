/**
 * Replacing stored Clusters and InstanceGroups with whole documents (what `kops replace -f` does). Every
 * document is checked first, against the state the whole set leaves behind: a cluster with the instance
 * groups it will have (and kops's update rules against the stored one), an instance group against its
 * cluster as replaced, a new cluster with the new instance groups the set brings. Only when all pass does anything get written (clusters first, then
 * instance groups), so one bad document anywhere writes nothing. Each write is still a create-if-absent or
 * a compare-and-swap, checked again at commit.
 */
import { InvalidConfigError, NotFoundError } from '../errors/errors.js';
import { prepareUserCluster } from './build-cluster.js';
import type { ClusterRegistry, StoredCluster } from './cluster-registry.js';
import { CLUSTER_LABEL, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';
import type { KopsYamlDocument } from './kops-yaml.js';
import { defaultConfigBase } from './store-layout.js';
import { assertValidCluster, assertValidInstanceGroup } from './validate.js';

/** What replacing one document did. */
export interface ReplaceResult {
  kind: 'Cluster' | 'InstanceGroup';
  name: string;
  /** The cluster it belongs to (its own name for a Cluster). */
  cluster: string;
  action: 'replaced' | 'created' | 'unchanged';
}

export interface ReplaceOptions {
  /** Create the objects that do not exist yet (`replace --force`); without it a missing object is NotFoundError. */
  force?: boolean;
}

/** A checked set of documents, ready to write. */
export interface ReplacePlan {
  /**
   * Writes every object; the results are in the order of the documents. With `dryRun`, every write's own
   * checks run and nothing is written: the results say what the writes would do.
   */
  apply(options?: { dryRun?: boolean }): Promise<ReplaceResult[]>;
}

interface ClusterState {
  name: string;
  stored: StoredCluster | undefined;
  /** The document replacing it, if the set has one. */
  doc?: { index: number; doc: KopsYamlDocument };
  /** The cluster object after the replace. */
  after: KopsCluster;
  /** Its instance groups after the replace, by name. */
  groups: Map<string, KopsInstanceGroup>;
  /** The stored instance groups' documents, by name (to report `unchanged`). */
  storedGroups: Map<string, string>;
  newGroups: { index: number; doc: KopsYamlDocument }[];
  changedGroups: { index: number; doc: KopsYamlDocument }[];
}

/**
 * Checks `docs` (Cluster and InstanceGroup documents, in file order) against the store and each other,
 * and returns the plan that writes them. Throws, having written nothing, when any document is invalid.
 */
export async function planReplace(registry: ClusterRegistry, docs: readonly KopsYamlDocument[], options: ReplaceOptions = {}): Promise<ReplacePlan> {
  const clusters = new Map<string, ClusterState>();
  const seen = new Set<string>();
  const state = async (name: string): Promise<ClusterState | undefined> => {
    if (!clusters.has(name)) {
      const stored = await registry.findCluster(name);
      const groups = new Map<string, KopsInstanceGroup>();
      const storedGroups = new Map<string, string>();
      for (const g of stored ? await registry.listInstanceGroups(name) : []) {
        groups.set(g.name, g.instanceGroup);
        storedGroups.set(g.name, g.doc.toString());
      }
      if (stored) clusters.set(name, { name, stored, after: stored.cluster, groups, storedGroups, newGroups: [], changedGroups: [] });
    }
    return clusters.get(name);
  };
  const store = registry.store.toString();

  // Clusters first, so that instance groups find the cluster they will belong to.
  for (const [index, doc] of docs.entries()) {
    if (doc.kind !== 'Cluster') continue;
    const name = doc.name;
    if (!name) throw new InvalidConfigError(`Document ${index + 1} is a Cluster without metadata.name`);
    once(seen, `Cluster ${name}`);
    const existing = await state(name);
    if (existing) {
      const object = doc.toJS() as unknown as KopsCluster;
      existing.after = { ...object, metadata: { ...object.metadata, name }, spec: { ...object.spec, configBase: object.spec?.configBase || existing.stored!.cluster.spec.configBase } };
      existing.doc = { index, doc };
      continue;
    }
    if (!options.force) throw new NotFoundError(`cluster ${name} does not exist in ${store}; use --force to create it`, { url: store });
    const prepared = prepareUserCluster(doc, { configBase: defaultConfigBase(registry.store, name) });
    clusters.set(name, { name, stored: undefined, doc: { index, doc: prepared }, after: prepared.toJS() as unknown as KopsCluster, groups: new Map(), storedGroups: new Map(), newGroups: [], changedGroups: [] });
  }

  for (const [index, doc] of docs.entries()) {
    if (doc.kind !== 'InstanceGroup') continue;
    const name = doc.name;
    const clusterName = doc.getIn(['metadata', 'labels', CLUSTER_LABEL]);
    if (!name) throw new InvalidConfigError(`Document ${index + 1} is an InstanceGroup without metadata.name`);
    if (typeof clusterName !== 'string' || clusterName === '') throw new InvalidConfigError(`InstanceGroup ${name} must have the ${CLUSTER_LABEL} label naming its cluster`);
    once(seen, `InstanceGroup ${name} of cluster ${clusterName}`);
    const cluster = await state(clusterName);
    if (!cluster) {
      throw new NotFoundError(`InstanceGroup ${name} belongs to cluster ${clusterName}, which is neither in ${store} nor in the files; replace the cluster too, or fix the ${CLUSTER_LABEL} label`, {
        url: store,
      });
    }
    const exists = cluster.storedGroups.has(name);
    if (!exists && !options.force) throw new NotFoundError(`instance group ${name} does not exist in cluster ${clusterName}; use --force to create it`, { url: store });
    cluster.groups.set(name, doc.toJS() as unknown as KopsInstanceGroup);
    (exists ? cluster.changedGroups : cluster.newGroups).push({ index, doc });
  }

  // Every object against the state the whole set leaves behind; the same checks the writes make.
  for (const c of clusters.values()) {
    const groups = [...c.groups.values()];
    if (c.doc) {
      assertValidCluster(c.after, groups.length > 0 ? groups : undefined, { ...(c.stored ? { previous: c.stored.cluster } : {}), source: `Cluster ${c.name}` });
      await registry.checkVaultStores({ name: c.name, spec: c.after.spec ?? {} });
    }
    for (const { doc } of [...c.newGroups, ...c.changedGroups]) {
      assertValidInstanceGroup(doc.toJS() as unknown as KopsInstanceGroup, c.after, `InstanceGroup ${doc.name}`);
    }
  }

  return {
    async apply({ dryRun } = {}) {
      const results: ReplaceResult[] = [];
      for (const c of clusters.values()) {
        if (!c.doc) continue;
        if (!c.stored) {
          await registry.createCluster({ cluster: c.doc.doc, instanceGroups: c.newGroups.map((g) => g.doc) }, { dryRun });
          results[c.doc.index] = { kind: 'Cluster', name: c.name, cluster: c.name, action: 'created' };
          for (const g of c.newGroups) results[g.index] = { kind: 'InstanceGroup', name: g.doc.name!, cluster: c.name, action: 'created' };
          continue;
        }
        const doc = c.doc.doc;
        const after = await registry.updateCluster(c.name, () => doc, { instanceGroups: [...c.groups.values()], dryRun });
        results[c.doc.index] = { kind: 'Cluster', name: c.name, cluster: c.name, action: after.toString() === c.stored.doc.toString() ? 'unchanged' : 'replaced' };
      }
      for (const c of clusters.values()) {
        if (!c.stored) continue;
        for (const { index, doc } of c.newGroups) {
          await registry.createInstanceGroup(c.name, doc, { dryRun });
          results[index] = { kind: 'InstanceGroup', name: doc.name!, cluster: c.name, action: 'created' };
        }
        for (const { index, doc } of c.changedGroups) {
          const after = await registry.updateInstanceGroup(c.name, doc.name!, () => doc, { cluster: c.after, dryRun });
          results[index] = { kind: 'InstanceGroup', name: doc.name!, cluster: c.name, action: after.toString() === c.storedGroups.get(doc.name!) ? 'unchanged' : 'replaced' };
        }
      }
      return results;
    },
  };
}

/** A set may name each object once. */
function once(seen: Set<string>, what: string): void {
  if (seen.has(what)) throw new InvalidConfigError(`${what} appears twice in the files; give each object once`);
  seen.add(what);
}
