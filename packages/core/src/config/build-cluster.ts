/**
 * The objects a new `create cluster` writes, in kops's order of steps (RunCreateCluster): flags →
 * Cluster and InstanceGroups (new-cluster.ts) → the create-only options (create-cluster-options.ts) →
 * `--unset`, then `--set` → Calico eBPF turns kube-proxy off → PerformAssignments → validation →
 * creation timestamps. The result is in kops's canonical YAML form, as stored: instance groups carry no
 * `kops.k8s.io/cluster` label (kops adds it when it reads them, and to `--dry-run` output only).
 */
import { performAssignments } from './assignments.js';
import { applyCreateClusterOptions, type CreateClusterOptions } from './create-cluster-options.js';
import { CLUSTER_LABEL, kopsTimestamp, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';
import { KopsYamlDocument } from './kops-yaml.js';
import { newCluster, type NewClusterOptions } from './new-cluster.js';
import { setFields, unsetFields } from './set-fields.js';
import type { SshPublicKey } from './ssh-public-key.js';
import { assertValidCluster } from './validate.js';

export interface BuildClusterOptions extends NewClusterOptions, CreateClusterOptions {
  /** `--set path=value` assignments on the Cluster (already split as the flag parser splits them). */
  sets?: readonly string[];
  /** `--unset path` on the Cluster. */
  unsets?: readonly string[];
  /** creationTimestamp to stamp (default now). */
  now?: Date;
}

export interface BuiltCluster {
  cluster: KopsYamlDocument;
  /** As stored: without the `kops.k8s.io/cluster` label. */
  instanceGroups: KopsYamlDocument[];
  /** Things to tell the user (e.g. how the cloud was chosen). */
  notices?: string[];
  /** The admin SSH key to store with the cluster (`--ssh-public-key`), at the key store's ssh/public/admin/. */
  sshPublicKey?: SshPublicKey;
}

export function buildCluster(options: BuildClusterOptions): BuiltCluster {
  const result = newCluster(options);
  applyCreateClusterOptions(result, options);
  let cluster = result.cluster;
  if ((options.sets?.length ?? 0) > 0 || (options.unsets?.length ?? 0) > 0) {
    const doc = KopsYamlDocument.fromObject(cluster);
    unsetFields(doc, 'Cluster', options.unsets ?? []);
    setFields(doc, 'Cluster', options.sets ?? []);
    cluster = doc.toJS() as unknown as KopsCluster;
  }
  disableKubeProxyForCalicoBpf(cluster);
  performAssignments(cluster);
  assertValidCluster(cluster, result.instanceGroups, { source: `The new cluster ${options.name}` });
  const stamp = kopsTimestamp(options.now);
  return {
    cluster: KopsYamlDocument.fromObject(stamped(cluster, stamp)),
    instanceGroups: result.instanceGroups.map((ig) => KopsYamlDocument.fromObject(stamped(ig, stamp))),
    notices: result.notices,
  };
}

/**
 * Calico's eBPF dataplane replaces kube-proxy (and from v3.31 binds its health port), so kops turns
 * kube-proxy off when `spec.networking.calico.bpfEnabled` is true and kube-proxy was not set either way.
 */
function disableKubeProxyForCalicoBpf(cluster: KopsCluster): void {
  const calico = cluster.spec.networking?.calico as { bpfEnabled?: unknown } | undefined;
  if (calico?.bpfEnabled !== true) return;
  cluster.spec.kubeProxy ??= {};
  cluster.spec.kubeProxy.enabled ??= false;
}

function stamped<T extends KopsCluster | KopsInstanceGroup>(object: T, timestamp: string): T {
  return { ...object, metadata: { creationTimestamp: timestamp, ...object.metadata } };
}

/**
 * What `kops create cluster --dry-run -o yaml|json` prints: the objects not yet created
 * (`creationTimestamp: null`), each instance group labelled with its cluster, then the admin SSH key as
 * an SSHCredential when one was given.
 */
export function dryRunObjects(built: BuiltCluster): KopsYamlDocument[] {
  const name = built.cluster.name ?? '';
  const unstamped = (doc: KopsYamlDocument) => {
    const copy = doc.clone();
    copy.setIn(['metadata', 'creationTimestamp'], null);
    return copy;
  };
  const docs = [unstamped(built.cluster), ...built.instanceGroups.map((ig) => withClusterLabel(unstamped(ig), name))];
  if (built.sshPublicKey) {
    docs.push(
      KopsYamlDocument.fromObject({
        apiVersion: 'kops.k8s.io/v1alpha2',
        kind: 'SSHCredential',
        metadata: { creationTimestamp: null, labels: { [CLUSTER_LABEL]: name }, name: 'admin' },
        spec: { publicKey: built.sshPublicKey.text.trim() },
      }),
    );
  }
  return docs;
}

/** The instance group as kops shows it after reading it: labelled `kops.k8s.io/cluster: CLUSTER`. */
export function withClusterLabel(doc: KopsYamlDocument, cluster: string): KopsYamlDocument {
  if (doc.getIn(['metadata', 'labels', CLUSTER_LABEL]) !== cluster) doc.setIn(['metadata', 'labels', CLUSTER_LABEL], cluster);
  return doc;
}

/**
 * A Cluster document a user supplies for creation (`replace --force`): kops runs PerformAssignments and
 * stamps creationTimestamp. The document is kept as given (comments included) when that changes nothing
 * else; otherwise it is re-written in kops's form with the assigned values.
 */
export function prepareUserCluster(doc: KopsYamlDocument, options: { configBase: string; now?: Date }): KopsYamlDocument {
  const original = doc.toJS() as unknown as KopsCluster;
  const filled = structuredClone(original);
  filled.metadata ??= {};
  filled.spec ??= {};
  filled.spec.configBase ||= options.configBase;
  const assigned = structuredClone(filled);
  performAssignments(assigned);
  const stamp = kopsTimestamp(options.now);
  if (JSON.stringify(assigned) !== JSON.stringify(filled)) return KopsYamlDocument.fromObject(stamped(assigned, stamp));
  const out = doc.clone();
  if (!original.spec?.configBase) out.setIn(['spec', 'configBase'], options.configBase);
  if (!original.metadata?.creationTimestamp) out.setIn(['metadata', 'creationTimestamp'], stamp);
  return out;
}
