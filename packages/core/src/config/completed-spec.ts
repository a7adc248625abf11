/**
 * The store-related part of kops's completed spec (`cluster-completed.spec`, which only `kops update
 * cluster --yes` writes): configBase, keyStore, secretStore and etcd backup stores filled in as
 * PopulateClusterSpec and the etcd-manager model fill them, and the Kubernetes version without its
 * leading `v` — what `update cluster` compares with the last completed spec. Earlier Statestore releases
 * wrote a partial completed spec marked with a first-line comment; `isWrittenByStatestore` recognises one.
 */
import { parseKubernetesVersion } from './kops-defaults.js';
import type { KopsCluster } from './kops-model.js';
import { joinStorePath } from './store-layout.js';

/** First line of the partial completed specs earlier Statestore releases wrote. kops ignores comments. */
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

/** True when a stored completed spec is one an earlier Statestore wrote (store fields only). */
export function isWrittenByStatestore(text: string): boolean {
  return text.startsWith(STATESTORE_COMPLETED_SPEC_MARKER);
}
