/**
 * The stored state of one cluster as plan, apply and `get all` read it: `config`, the instance-group listing
 * and each group, and `clusteraddons/default`, each with the version and hash it was read at (or "absent"),
 * decoded as kops reads them (configBase filled in, groups labelled with their cluster). Keys are relative to
 * the store root, as a plan file records them.
 */
import { sha256Hex } from '../path/body.js';
import { runLimited } from '../path/run-limited.js';
import type { VfsPath } from '../path/vfs-path.js';
import { parseAddonObjects, type AddonObject } from './addon-objects.js';
import { decodeCluster, decodeInstanceGroup } from './cluster-registry.js';
import type { KopsCluster, KopsInstanceGroup } from './kops-model.js';
import type { KopsYamlDocument } from './kops-yaml.js';
import { clusterAddonsPath, clusterConfigPath, defaultConfigBase, instanceGroupFolder, instanceGroupPath } from './store-layout.js';

/** How many instance groups are read at once. */
const READS_AT_ONCE = 8;

/** The version an object was read at: the backend's token (and write id) for compare-and-swap, and its sha256. */
export interface ReadVersion {
  version: string;
  writeId?: string;
  sha256: string;
}

/** What a plan records for each object it read. */
export type ObjectRead = ReadVersion | 'absent';

export interface StoredFile {
  /** Relative to the store root, e.g. `demo.example.com/instancegroup/nodes`. */
  key: string;
  read: ReadVersion;
  text: string;
}

export interface StoredClusterConfig extends StoredFile {
  doc: KopsYamlDocument;
  object: KopsCluster;
}

export interface StoredGroup extends StoredFile {
  doc: KopsYamlDocument;
  object: KopsInstanceGroup;
}

export interface StoredAddons extends StoredFile {
  objects: AddonObject[];
}

export interface ClusterState {
  cluster: string;
  config?: StoredClusterConfig;
  /** The file names under `instancegroup/`, sorted. */
  listing: string[];
  /** Every listed group, and every other name asked for that exists. */
  instanceGroups: Map<string, StoredGroup>;
  addons?: StoredAddons;
  /** Every object read, by key: its version, or "absent". */
  reads: Record<string, ObjectRead>;
}

/** The key of a path relative to the store root. */
export function storeKey(store: VfsPath, path: VfsPath): string {
  return path.relativeTo(store) ?? path.key;
}

/** Reads one file with its version; undefined when absent. */
export async function readFileVersion(store: VfsPath, path: VfsPath, signal?: AbortSignal): Promise<StoredFile | undefined> {
  const read = await path.readVersioned(signal ? { signal } : {});
  if (!read) return undefined;
  return {
    key: storeKey(store, path),
    read: { version: read.version, ...(read.writeId ? { writeId: read.writeId } : {}), sha256: sha256Hex(read.bytes) },
    text: new TextDecoder().decode(read.bytes),
  };
}

/**
 * Reads the cluster's objects with their versions: `config`, the listing of `instancegroup/` and every group
 * in it (plus `instanceGroups` named by the caller, recorded "absent" when missing), and the addons file.
 */
export async function readClusterState(store: VfsPath, cluster: string, options: { instanceGroups?: readonly string[]; signal?: AbortSignal } = {}): Promise<ClusterState> {
  const { signal } = options;
  const reads: Record<string, ObjectRead> = {};
  const configPath = clusterConfigPath(store, cluster);
  const configFile = await readFileVersion(store, configPath, signal);
  reads[storeKey(store, configPath)] = configFile?.read ?? 'absent';
  let config: StoredClusterConfig | undefined;
  if (configFile) {
    const { doc, cluster: object } = decodeCluster(configFile.text, configPath.toString(), cluster, defaultConfigBase(store, cluster));
    config = { ...configFile, doc, object };
  }

  const listing = (await instanceGroupFolder(store, cluster).readDir(signal ? { signal } : {}))
    .filter((e) => !e.isDirectory)
    .map((e) => e.name)
    .sort();
  const names = [...new Set([...listing, ...(options.instanceGroups ?? [])])].sort();
  const instanceGroups = new Map<string, StoredGroup>();
  await runLimited(names, READS_AT_ONCE, async (name) => {
    const path = instanceGroupPath(store, cluster, name);
    const file = await readFileVersion(store, path, signal);
    reads[storeKey(store, path)] = file?.read ?? 'absent';
    if (!file) return;
    const { doc, instanceGroup } = decodeInstanceGroup(file.text, path.toString(), cluster);
    instanceGroups.set(name, { ...file, doc, object: instanceGroup });
  });

  const addonsPath = clusterAddonsPath(store, cluster);
  const addonsFile = await readFileVersion(store, addonsPath, signal);
  reads[storeKey(store, addonsPath)] = addonsFile?.read ?? 'absent';
  const addons = addonsFile ? { ...addonsFile, objects: parseAddonObjects(addonsFile.text, addonsPath.toString()) } : undefined;

  const byKey = <T>(entries: [string, T][]) => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    cluster,
    ...(config ? { config } : {}),
    listing,
    instanceGroups: new Map(byKey([...instanceGroups])),
    ...(addons ? { addons } : {}),
    reads: Object.fromEntries(byKey(Object.entries(reads))),
  };
}

/**
 * The objects `get all` prints, in its order: the Cluster (configBase filled in, as kops prints it), the
 * instance groups by name (labelled with their cluster), then the addon objects. Never keys or secrets.
 */
export function clusterDocuments(state: ClusterState): KopsYamlDocument[] {
  const docs: KopsYamlDocument[] = [];
  if (state.config) {
    const doc = state.config.doc;
    if (doc.getIn(['spec', 'configBase'])) docs.push(doc);
    else {
      const filled = doc.clone();
      filled.setIn(['spec', 'configBase'], state.config.object.spec.configBase);
      docs.push(filled);
    }
  }
  for (const group of state.instanceGroups.values()) docs.push(group.doc);
  for (const addon of state.addons?.objects ?? []) docs.push(addon.doc);
  return docs;
}
