/**
 * The objects a new `create cluster` writes, in kops's order of steps: flags → Cluster and
 * InstanceGroups (new-cluster.ts) → `--unset`, then `--set` → PerformAssignments → validation →
 * creation timestamps. The result is in kops's canonical YAML form.
 */
import { performAssignments } from './assignments.js';
import { kopsTimestamp, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';
import { KopsYamlDocument } from './kops-yaml.js';
import { newCluster, type NewClusterOptions } from './new-cluster.js';
import { setFields, unsetFields } from './set-fields.js';
import { assertValidCluster } from './validate.js';

export interface BuildClusterOptions extends NewClusterOptions {
  /** `--set path=value` assignments on the Cluster (already split as the flag parser splits them). */
  sets?: readonly string[];
  /** `--unset path` on the Cluster. */
  unsets?: readonly string[];
  /** creationTimestamp to stamp (default now). */
  now?: Date;
}

export interface BuiltCluster {
  cluster: KopsYamlDocument;
  instanceGroups: KopsYamlDocument[];
  /** Things to tell the user (e.g. how the cloud was chosen). */
  notices?: string[];
}

export function buildCluster(options: BuildClusterOptions): BuiltCluster {
  const result = newCluster(options);
  let cluster = result.cluster;
  if ((options.sets?.length ?? 0) > 0 || (options.unsets?.length ?? 0) > 0) {
    const doc = KopsYamlDocument.fromObject(cluster);
    unsetFields(doc, 'Cluster', options.unsets ?? []);
    setFields(doc, 'Cluster', options.sets ?? []);
    cluster = doc.toJS() as unknown as KopsCluster;
  }
  performAssignments(cluster);
  assertValidCluster(cluster, result.instanceGroups, `The new cluster ${options.name}`);
  const stamp = kopsTimestamp(options.now);
  return {
    cluster: KopsYamlDocument.fromObject(stamped(cluster, stamp)),
    instanceGroups: result.instanceGroups.map((ig) => KopsYamlDocument.fromObject(stamped(ig, stamp))),
    notices: result.notices,
  };
}

function stamped<T extends KopsCluster | KopsInstanceGroup>(object: T, timestamp: string): T {
  return { ...object, metadata: { creationTimestamp: timestamp, ...object.metadata } };
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
