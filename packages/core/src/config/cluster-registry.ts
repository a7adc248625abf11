/**
 * ClusterRegistry: the clusters of one state store, read and written in kops's layout (the counterpart
 * of kops's VFSClientset). Creates are create-if-absent; every read–modify–write goes through
 * VfsPath.updateFile (compare-and-swap), so concurrent writers never lose an update; `metadata.generation`
 * is bumped when a spec changes, as kops does; vault:// secret and key stores are checked before a write.
 * Instance groups are read as kops reads them, labelled with their cluster; so every read–modify–write
 * stores the label, while `createCluster` stores them as kops's create does, without it.
 */
import { AlreadyExistsError, InvalidConfigError, NotFoundError, isAlreadyExists, isNotFound } from '../errors/errors.js';
import { runLimited } from '../path/run-limited.js';
import type { UpdateFn, VfsPath } from '../path/vfs-path.js';
import { withClusterLabel, type BuiltCluster } from './build-cluster.js';
import type { KopsCluster, KopsInstanceGroup } from './kops-model.js';
import { KopsYamlDocument, sortKopsKeys } from './kops-yaml.js';
import { sshPublicKeyLocation } from './ssh-public-key.js';
import {
  clusterAddonsPath,
  clusterConfigPath,
  clusterFolder,
  defaultConfigBase,
  instanceGroupFolder,
  instanceGroupPath,
  isDeletableStateFile,
} from './store-layout.js';
import { assertValidCluster, assertValidInstanceGroup } from './validate.js';
import { assertNotVaultConfigStore, assertVaultStoresAllowed, isVaultUrl, type ClusterStores } from './vault-guards.js';

/** Reads at once: first-level folders checked for a `config`, instance groups of a cluster. */
const READS_AT_ONCE = 8;

/** A cluster read from the store: its document (for edits) and its object (configBase filled in, as kops does in memory). */
export interface StoredCluster {
  name: string;
  doc: KopsYamlDocument;
  cluster: KopsCluster;
  path: VfsPath;
}

export interface StoredInstanceGroup {
  name: string;
  doc: KopsYamlDocument;
  instanceGroup: KopsInstanceGroup;
  path: VfsPath;
}

/** What `deleteCluster` would remove, and what it leaves alone. */
export interface ClusterDeletePlan {
  folder: VfsPath;
  files: VfsPath[];
  /** Files kops's allow-list does not know; any of them stops the delete. */
  unknown: string[];
  /** Stores outside the cluster folder the config points at (configBase elsewhere, keyStore, secretStore, discovery store): never touched. */
  outside: { field: string; url: string }[];
}

/**
 * Edits a document in place, or returns a replacement; called again with fresh content when a
 * compare-and-swap loses, so it must only depend on the document it is given.
 */
export type DocumentMutation = (doc: KopsYamlDocument) => void | KopsYamlDocument | Promise<void | KopsYamlDocument>;

/** A stored `config` as kops reads it: metadata.name and spec.configBase filled in when empty. */
export function decodeCluster(text: string, source: string, name: string, configBase: string): { doc: KopsYamlDocument; cluster: KopsCluster } {
  const doc = KopsYamlDocument.parse(text, source);
  const cluster = doc.toJS() as unknown as KopsCluster;
  if (cluster.kind !== 'Cluster') throw new InvalidConfigError(`${source} does not hold a Cluster (kind: ${String(cluster.kind)})`, { url: source });
  cluster.metadata ??= {};
  cluster.spec ??= {};
  cluster.metadata.name ||= name;
  cluster.spec.configBase ||= configBase;
  return { doc, cluster };
}

/** An instance group as kops reads it: the document and the object both carry the cluster label. */
export function decodeInstanceGroup(text: string, source: string, cluster: string): { doc: KopsYamlDocument; instanceGroup: KopsInstanceGroup } {
  const parsed = KopsYamlDocument.parse(text, source);
  const kind = parsed.kind;
  if (kind !== 'InstanceGroup') throw new InvalidConfigError(`${source} does not hold an InstanceGroup (kind: ${String(kind)})`, { url: source });
  const doc = withClusterLabel(parsed, cluster);
  const instanceGroup = doc.toJS() as unknown as KopsInstanceGroup;
  instanceGroup.metadata ??= {};
  instanceGroup.spec ??= {};
  return { doc, instanceGroup };
}

function specsEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKopsKeys(a ?? {})) === JSON.stringify(sortKopsKeys(b ?? {}));
}

/** Bumps metadata.generation when the spec changed, as kops's Update does. */
function bumpGeneration(doc: KopsYamlDocument, before: { spec?: unknown; metadata?: { generation?: number } } | undefined): void {
  if (!before) return;
  const after = doc.toJS() as { spec?: unknown };
  if (specsEqual(before.spec, after.spec)) return;
  doc.setIn(['metadata', 'generation'], (before.metadata?.generation ?? 0) + 1);
}

/**
 * `path.updateFile(update)`; with `dryRun`, `update` runs once on the current bytes (checks and all) and
 * nothing is written.
 */
async function updateOrDryRun(path: VfsPath, update: UpdateFn, dryRun: boolean | undefined): Promise<void> {
  if (!dryRun) return void (await path.updateFile(update));
  const text = await readTextIfExists(path);
  await update(text === undefined ? undefined : new TextEncoder().encode(text));
}

/** The file's text, or undefined when it does not exist. */
async function readTextIfExists(path: VfsPath): Promise<string | undefined> {
  try {
    return await path.readText();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export interface ClusterRegistryOptions {
  /**
   * Opens a URL as its own path (the resolver the store was opened with). Used for locations named in
   * a cluster spec (the key store) and to delete a cluster through its own folder, so a store that prunes
   * emptied folders (file://) stops at the cluster folder and never removes the store root.
   */
  open?: (url: string) => Promise<VfsPath>;
}

export class ClusterRegistry {
  constructor(
    /** The state store root. */
    readonly store: VfsPath,
    private readonly options: ClusterRegistryOptions = {},
  ) {}

  /** A location named in a spec: below the store it is joined; elsewhere it needs `options.open`. */
  private async locate(url: string): Promise<VfsPath> {
    const root = this.store.toString().replace(/\/+$/, '');
    if (url.startsWith(`${root}/`)) return this.store.join(url.slice(root.length + 1));
    if (!this.options.open) throw new InvalidConfigError(`${url} is outside the state store ${root}; open the registry with an \`open\` function to reach it`, { url });
    return this.options.open(url);
  }

  /**
   * Cluster names, sorted: the first-level folders of the store that hold a `config`. A cluster name is a
   * DNS name, so a nested folder is never a cluster (kops reads the whole tree and takes every `*\/config`);
   * one delimited listing of the root and a stat per folder, never the rest of the store.
   */
  async listClusterNames(): Promise<string[]> {
    const folders = (await this.store.readDir()).filter((entry) => entry.isDirectory && !entry.name.startsWith('.'));
    const names: string[] = [];
    await runLimited(folders, READS_AT_ONCE, async ({ name }) => {
      if (await clusterConfigPath(this.store, name).statInfo()) names.push(name);
    });
    return names.sort();
  }

  /** Every cluster that loads; those that do not are reported as warnings (kops skips them too). */
  async listClusters(): Promise<{ clusters: StoredCluster[]; warnings: string[] }> {
    const clusters: StoredCluster[] = [];
    const warnings: string[] = [];
    for (const name of await this.listClusterNames()) {
      try {
        const found = await this.findCluster(name);
        if (found) clusters.push(found);
      } catch (e) {
        warnings.push(`cluster ${JSON.stringify(name)} found in state store listing, but cannot be loaded: ${(e as Error).message}`);
      }
    }
    return { clusters, warnings };
  }

  async findCluster(name: string): Promise<StoredCluster | undefined> {
    const path = clusterConfigPath(this.store, name);
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    return { name, path, ...decodeCluster(text, path.toString(), name, defaultConfigBase(this.store, name)) };
  }

  /** The cluster, or NotFoundError naming the store. */
  async getCluster(name: string): Promise<StoredCluster> {
    const found = await this.findCluster(name);
    if (!found) {
      throw new NotFoundError(`cluster not found ${JSON.stringify(name)} in ${this.store.toString()}; list the clusters with \`statestore get clusters\``, {
        url: clusterConfigPath(this.store, name).toString(),
      });
    }
    return found;
  }

  /** Refuses a vault:// configBase, and vault:// secret/key stores shared with another cluster or equal to the state store. */
  async checkVaultStores(cluster: ClusterStores): Promise<void> {
    if (cluster.spec.configBase) assertNotVaultConfigStore(cluster.spec.configBase, `spec.configBase of cluster ${cluster.name}`);
    if (!isVaultUrl(cluster.spec.secretStore) && !isVaultUrl(cluster.spec.keyStore)) return;
    const { clusters } = await this.listClusters();
    assertVaultStoresAllowed(
      this.store.toString(),
      cluster,
      clusters.map((c) => ({ name: c.name, spec: c.cluster.spec })),
    );
  }

  /**
   * Writes a new cluster: `config` (create-if-absent; AlreadyExistsError when the cluster exists),
   * each instance group, and an empty `clusteraddons/default`, as `kops create cluster` does. With
   * `dryRun`, only the checks.
   */
  async createCluster(built: BuiltCluster, options: { dryRun?: boolean } = {}): Promise<void> {
    const cluster = built.cluster.toJS() as unknown as KopsCluster;
    const name = cluster.metadata?.name;
    if (!name) throw new InvalidConfigError('The cluster has no metadata.name');
    const igs = built.instanceGroups.map((d) => d.toJS() as unknown as KopsInstanceGroup);
    const names = igs.map((g) => g.metadata.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new InvalidConfigError(`InstanceGroup names must be unique; ${duplicate} appears twice`);
    assertValidCluster(cluster, igs.length > 0 ? igs : undefined, { source: `Cluster ${name}` });
    await this.checkVaultStores({ name, spec: cluster.spec });
    if (options.dryRun) return;
    try {
      await clusterConfigPath(this.store, name).createFile(built.cluster.toString());
    } catch (e) {
      if (isAlreadyExists(e)) {
        throw new AlreadyExistsError(`cluster ${JSON.stringify(name)} already exists in ${this.store.toString()}`, { url: clusterConfigPath(this.store, name).toString() });
      }
      throw e;
    }
    for (const ig of built.instanceGroups) await instanceGroupPath(this.store, name, ig.name!).createFile(ig.toString());
    await clusterAddonsPath(this.store, name).writeFile('');
    if (built.sshPublicKey) await (await this.locate(sshPublicKeyLocation(cluster.spec, built.sshPublicKey.id))).writeFile(built.sshPublicKey.text);
  }

  /**
   * Read–modify–write of a cluster's `config` with compare-and-swap: `mutate` edits the document
   * (it may run again if another writer got there first). The result is validated before it is written
   * (kops's update rules included; with its instance groups when given). Returns the stored document, or
   * the current one when nothing changed. With `dryRun`, everything but the write: the document that
   * would be stored, validated.
   */
  async updateCluster(
    name: string,
    mutate: DocumentMutation,
    options: { instanceGroups?: readonly KopsInstanceGroup[]; dryRun?: boolean } = {},
  ): Promise<KopsYamlDocument> {
    const path = clusterConfigPath(this.store, name);
    let result: KopsYamlDocument | undefined;
    const update: UpdateFn = async (current) => {
      if (!current) throw new NotFoundError(`cluster not found ${JSON.stringify(name)} in ${this.store.toString()}`, { url: path.toString() });
      const text = new TextDecoder().decode(current);
      const { doc } = decodeCluster(text, path.toString(), name, defaultConfigBase(this.store, name));
      const before = doc.toJS() as unknown as KopsCluster;
      const draft = doc.clone();
      const next = (await mutate(draft)) ?? draft;
      result = next;
      const after = next.toJS() as unknown as KopsCluster;
      if (after.metadata?.name && after.metadata.name !== name) throw new InvalidConfigError(`cluster name did not match expected name: ${after.metadata.name} vs ${name}; a cluster cannot be renamed`);
      const checked: KopsCluster = { ...after, metadata: { ...after.metadata, name }, spec: { ...after.spec, configBase: after.spec?.configBase || defaultConfigBase(this.store, name) } };
      assertValidCluster(checked, options.instanceGroups, { previous: before, source: `Cluster ${name}` });
      await this.checkVaultStores({ name, spec: after.spec ?? {} });
      bumpGeneration(next, before);
      const out = next.toString();
      return out === text ? undefined : out;
    };
    await updateOrDryRun(path, update, options.dryRun);
    return result!;
  }

  /** Instance groups of a cluster, sorted by name; a listed file that vanished is an error, as in kops. */
  async listInstanceGroups(cluster: string): Promise<StoredInstanceGroup[]> {
    const files = (await instanceGroupFolder(this.store, cluster).readDir()).filter((e) => !e.isDirectory);
    // Read at once (a command holding the cluster's lease reads them while others wait), kept in name order.
    const out = new Array<StoredInstanceGroup>(files.length);
    await runLimited([...files.keys()], READS_AT_ONCE, async (i) => {
      out[i] = await this.getInstanceGroup(cluster, files[i]!.name);
    });
    return out;
  }

  async findInstanceGroup(cluster: string, name: string): Promise<StoredInstanceGroup | undefined> {
    const path = instanceGroupPath(this.store, cluster, name);
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    return { name, path, ...decodeInstanceGroup(text, path.toString(), cluster) };
  }

  async getInstanceGroup(cluster: string, name: string): Promise<StoredInstanceGroup> {
    const found = await this.findInstanceGroup(cluster, name);
    if (!found) {
      throw new NotFoundError(`InstanceGroup ${JSON.stringify(name)} not found in cluster ${cluster}; list them with \`statestore get instancegroups --name ${cluster}\``, {
        url: instanceGroupPath(this.store, cluster, name).toString(),
      });
    }
    return found;
  }

  /** Creates an instance group (AlreadyExistsError if it exists), validated against the cluster (`dryRun`: only that). */
  async createInstanceGroup(cluster: string, doc: KopsYamlDocument, options: { dryRun?: boolean } = {}): Promise<void> {
    const { cluster: object } = await this.getCluster(cluster);
    const ig = doc.toJS() as unknown as KopsInstanceGroup;
    const name = ig.metadata?.name;
    if (!name) throw new InvalidConfigError('The instance group has no metadata.name');
    assertValidInstanceGroup(ig, object, `InstanceGroup ${name}`);
    if (options.dryRun) return;
    try {
      await instanceGroupPath(this.store, cluster, name).createFile(doc.toString());
    } catch (e) {
      if (isAlreadyExists(e)) throw new AlreadyExistsError(`instance group ${JSON.stringify(name)} already exists in cluster ${cluster}`, { url: instanceGroupPath(this.store, cluster, name).toString() });
      throw e;
    }
  }

  /**
   * Read–modify–write of one instance group, with compare-and-swap and validation against the cluster
   * (`dryRun`: all but the write).
   */
  async updateInstanceGroup(
    cluster: string,
    name: string,
    mutate: DocumentMutation,
    options: { cluster?: KopsCluster; dryRun?: boolean } = {},
  ): Promise<KopsYamlDocument> {
    const clusterObject = options.cluster ?? (await this.getCluster(cluster)).cluster;
    const path = instanceGroupPath(this.store, cluster, name);
    let result: KopsYamlDocument | undefined;
    const update: UpdateFn = async (current) => {
      if (!current) throw new NotFoundError(`InstanceGroup ${JSON.stringify(name)} not found in cluster ${cluster}`, { url: path.toString() });
      const text = new TextDecoder().decode(current);
      const { doc } = decodeInstanceGroup(text, path.toString(), cluster);
      const before = doc.toJS() as unknown as KopsInstanceGroup;
      // unchanged by the mutation: nothing is written (not even the label kops's read adds)
      const baseline = doc.toString();
      const draft = doc.clone();
      const next = (await mutate(draft)) ?? draft;
      result = next;
      const after = next.toJS() as unknown as KopsInstanceGroup;
      if (after.metadata?.name && after.metadata.name !== name) throw new InvalidConfigError(`instance group name did not match expected name: ${after.metadata.name} vs ${name}`);
      assertValidInstanceGroup({ ...after, metadata: { ...after.metadata, name } }, clusterObject, `InstanceGroup ${name}`);
      bumpGeneration(next, before);
      const out = next.toString();
      return out === baseline ? undefined : out;
    };
    await updateOrDryRun(path, update, options.dryRun);
    return result!;
  }

  /** Removes one instance group file; a missing one is not an error (as in kops). */
  async deleteInstanceGroup(cluster: string, name: string): Promise<void> {
    await instanceGroupPath(this.store, cluster, name).remove();
  }

  /** What deleting the cluster's state would remove (kops's allow-list), without removing anything. */
  async planDeleteCluster(name: string): Promise<ClusterDeletePlan> {
    const { cluster } = await this.getCluster(name);
    const folder = clusterFolder(this.store, name);
    const files = await folder.readTree();
    const unknown = files.map((f) => f.relativeTo(folder) ?? f.toString()).filter((rel) => !isDeletableStateFile(rel));
    const outside: { field: string; url: string }[] = [];
    const own = folder.toString().replace(/\/+$/, '');
    const isInside = (url: string) => url.replace(/\/+$/, '') === own || url.startsWith(`${own}/`);
    const spec = cluster.spec;
    if (spec.configBase && !isInside(spec.configBase)) outside.push({ field: 'spec.configBase', url: spec.configBase });
    if (spec.secretStore && !isInside(spec.secretStore)) outside.push({ field: 'spec.secretStore', url: spec.secretStore });
    if (spec.keyStore && spec.keyStore !== spec.secretStore && !isInside(spec.keyStore)) outside.push({ field: 'spec.keyStore', url: spec.keyStore });
    const discovery = spec.serviceAccountIssuerDiscovery?.discoveryStore;
    if (discovery && !isInside(discovery)) outside.push({ field: 'spec.serviceAccountIssuerDiscovery.discoveryStore', url: discovery });
    return { folder, files, unknown, outside };
  }

  /**
   * Removes the cluster's state folder `{store}/{name}` after checking every file against kops's
   * allow-list (InvalidConfigError listing unknown files, nothing removed). Stores outside the folder
   * are reported in the plan, never touched; nor is the store root, even when the cluster was all it held.
   * Returns the plan that was carried out.
   */
  async deleteCluster(name: string): Promise<ClusterDeletePlan> {
    const plan = await this.planDeleteCluster(name);
    if (plan.unknown.length > 0) {
      throw new InvalidConfigError(
        `refusing to delete: unknown file found: ${plan.unknown.map((u) => `${plan.folder.toString()}/${u}`).join(', ')}. Move or remove ${plan.unknown.length === 1 ? 'it' : 'them'} first; nothing was deleted.`,
        { url: plan.folder.toString() },
      );
    }
    // Opened on its own, the cluster folder is the highest folder a pruning store (file://) may remove.
    const folder = this.options.open ? await this.options.open(plan.folder.toString()) : plan.folder;
    await folder.removeAll();
    return plan;
  }
}
