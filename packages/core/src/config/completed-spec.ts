/**
 * The store-related part of kops's completed spec (`cluster-completed.spec`, written by `update cluster
 * --yes`): configBase, keyStore, secretStore and etcd backup stores filled in as PopulateClusterSpec and
 * the etcd-manager model fill them, and the Kubernetes version without its leading `v`. Statestore marks
 * the files it writes so it never replaces one kops wrote.
 */
import { parseKubernetesVersion } from './kops-defaults.js';
import type { KopsCluster } from './kops-model.js';
import { stringifyKopsObject } from './kops-yaml.js';
import { joinStorePath } from './store-layout.js';

/** First line of every completed spec Statestore writes. kops ignores comments. */
export const STATESTORE_COMPLETED_SPEC_MARKER =
  '# Written by Statestore `update cluster --yes`: store-related fields only. `kops update cluster --yes` replaces this file with the full spec.';

/** A copy of the cluster with the store-related fields completed. */
export function completeStoreSpec(cluster: KopsCluster, defaultConfigBase: string): KopsCluster {
  const copy = structuredClone(cluster);
  const spec = copy.spec;
  const configBase = spec.configBase || defaultConfigBase;
  spec.configBase = configBase;
  spec.keyStore ||= joinStorePath(configBase, 'pki');
  spec.secretStore ||= joinStorePath(configBase, 'secrets');
  for (const etcd of spec.etcdClusters ?? []) {
    etcd.backups = { ...etcd.backups };
    etcd.backups.backupStore ||= joinStorePath(configBase, `backups/etcd/${etcd.name}`);
  }
  if (spec.kubernetesVersion) {
    const v = parseKubernetesVersion(spec.kubernetesVersion);
    spec.kubernetesVersion = /^\s*v?\d+\.\d+\.\d+/.test(spec.kubernetesVersion) ? spec.kubernetesVersion.trim().replace(/^v/, '') : `${v.major}.${v.minor}.${v.patch}`;
  }
  return copy;
}

/** The file Statestore writes: the marker, then the completed cluster in kops's YAML form. */
export function completedSpecText(completed: KopsCluster): string {
  return `${STATESTORE_COMPLETED_SPEC_MARKER}\n${stringifyKopsObject(completed)}`;
}

/** True when a stored completed spec was written by Statestore (so Statestore may replace it). */
export function isWrittenByStatestore(text: string): boolean {
  return text.startsWith(STATESTORE_COMPLETED_SPEC_MARKER);
}
