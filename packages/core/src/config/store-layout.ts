/**
 * Where kops keeps a cluster's files in a state store (pkg/apis/kops/registry, pkg/client/simple/
 * vfsclientset): `{store}/{cluster}/config`, `instancegroup/{name}`, `clusteraddons/default`, and under
 * `spec.configBase` (by default the same folder) keys, secrets and what `update cluster` writes.
 */
import type { VfsPath } from '../path/vfs-path.js';

export const PATH_CLUSTER_CONFIG = 'config';
export const PATH_INSTANCE_GROUPS = 'instancegroup';
export const PATH_CLUSTER_ADDONS = 'clusteraddons/default';
export const PATH_COMPLETED_SPEC = 'cluster-completed.spec';
export const PATH_KOPS_VERSION = 'kops-version.txt';
/** kops ≤ 1.21 wrote the completed spec here. */
export const PATH_LEGACY_COMPLETED_SPEC = 'cluster.spec';

/** Files kops's `DeleteAllClusterState` accepts under configBase (anything else stops the delete). */
export const DELETABLE_FILES: readonly string[] = [PATH_CLUSTER_CONFIG, PATH_LEGACY_COMPLETED_SPEC, PATH_COMPLETED_SPEC, PATH_KOPS_VERSION];
export const DELETABLE_PREFIXES: readonly string[] = ['addons/', 'clusteraddons/', 'pki/', 'secrets/', 'instancegroup/', 'igconfig/', 'manifests/', 'backups/'];

/** True for a path (relative to configBase) that kops's cluster delete may remove. */
export function isDeletableStateFile(relative: string): boolean {
  return DELETABLE_FILES.includes(relative) || DELETABLE_PREFIXES.some((p) => relative.startsWith(p));
}

/** `{store}/{cluster}`. */
export function clusterFolder(store: VfsPath, cluster: string): VfsPath {
  return store.join(cluster);
}

export function clusterConfigPath(store: VfsPath, cluster: string): VfsPath {
  return store.join(cluster, PATH_CLUSTER_CONFIG);
}

export function instanceGroupFolder(store: VfsPath, cluster: string): VfsPath {
  return store.join(cluster, PATH_INSTANCE_GROUPS);
}

export function instanceGroupPath(store: VfsPath, cluster: string, instanceGroup: string): VfsPath {
  return store.join(cluster, PATH_INSTANCE_GROUPS, instanceGroup);
}

export function clusterAddonsPath(store: VfsPath, cluster: string): VfsPath {
  return store.join(cluster, PATH_CLUSTER_ADDONS);
}

/** The default `spec.configBase` of a cluster: `{store}/{cluster}` in kops's path form (a bare path on local disk). */
export function defaultConfigBase(store: VfsPath, cluster: string): string {
  return clusterFolder(store, cluster).toString();
}

/** Joins a configBase-style string and a relative path with exactly one `/`. */
export function joinStorePath(base: string, relative: string): string {
  return `${base.replace(/\/+$/, '')}/${relative}`;
}
