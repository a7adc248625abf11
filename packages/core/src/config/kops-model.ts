/**
 * The kops object model as stored: `kops.k8s.io/v1alpha2` Cluster and InstanceGroup. Only the fields
 * Statestore reads or computes are named; every other field is kept as it is (index signatures), so an
 * object written by any kops version round-trips.
 */

export const KOPS_API_VERSION = 'kops.k8s.io/v1alpha2';
/** API versions kops reads; Statestore writes only v1alpha2. */
export const READABLE_API_VERSIONS = ['kops.k8s.io/v1alpha2', 'kops/v1alpha2', 'kops.k8s.io/v1alpha3'] as const;

export interface KopsObjectMeta {
  name?: string;
  /** RFC 3339, seconds, UTC. */
  creationTimestamp?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export type SubnetType = 'Public' | 'Private' | 'Utility' | 'DualStack';

export interface ClusterSubnetSpec {
  name: string;
  cidr?: string;
  ipv6CIDR?: string;
  zone?: string;
  region?: string;
  id?: string;
  egress?: string;
  type?: SubnetType;
  [field: string]: unknown;
}

export interface EtcdMemberSpec {
  name: string;
  instanceGroup?: string;
  encryptedVolume?: boolean;
  volumeType?: string;
  [field: string]: unknown;
}

export interface EtcdClusterSpec {
  name: string;
  cpuRequest?: string;
  memoryRequest?: string;
  etcdMembers?: EtcdMemberSpec[];
  manager?: { backupRetentionDays?: number; [field: string]: unknown };
  backups?: { backupStore?: string; [field: string]: unknown };
  version?: string;
  [field: string]: unknown;
}

export interface ClusterSpec {
  channel?: string;
  cloudProvider?: string;
  configBase?: string;
  keyStore?: string;
  secretStore?: string;
  kubernetesVersion?: string;
  subnets?: ClusterSubnetSpec[];
  networkCIDR?: string;
  additionalNetworkCIDRs?: string[];
  networkID?: string;
  nonMasqueradeCIDR?: string;
  podCIDR?: string;
  serviceClusterIPRange?: string;
  masterPublicName?: string;
  kubernetesApiAccess?: string[];
  sshAccess?: string[];
  project?: string;
  topology?: { dns?: { type?: string }; bastion?: Record<string, unknown>; [field: string]: unknown };
  api?: { dns?: Record<string, unknown>; loadBalancer?: { type?: string; class?: string; [field: string]: unknown }; [field: string]: unknown };
  networking?: Record<string, unknown>;
  etcdClusters?: EtcdClusterSpec[];
  kubeProxy?: { enabled?: boolean; [field: string]: unknown };
  serviceAccountIssuerDiscovery?: { discoveryStore?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface KopsCluster {
  apiVersion: string;
  kind: 'Cluster';
  metadata: KopsObjectMeta;
  spec: ClusterSpec;
  [field: string]: unknown;
}

/** v1alpha2 roles; `Master` is the control plane. */
export type InstanceGroupRole = 'Master' | 'Node' | 'Bastion' | 'APIServer' | string;

export interface InstanceGroupSpec {
  role?: InstanceGroupRole;
  machineType?: string;
  minSize?: number;
  maxSize?: number;
  image?: string;
  subnets?: string[];
  zones?: string[];
  nodeLabels?: Record<string, string>;
  mixedInstancesPolicy?: { instances?: string[]; [field: string]: unknown };
  [field: string]: unknown;
}

export interface KopsInstanceGroup {
  apiVersion: string;
  kind: 'InstanceGroup';
  metadata: KopsObjectMeta;
  spec: InstanceGroupSpec;
  [field: string]: unknown;
}

/** Label kops puts on every InstanceGroup it creates (and adds in memory when reading). */
export const CLUSTER_LABEL = 'kops.k8s.io/cluster';
/** Node label kops adds to every InstanceGroup (`AddInstanceGroupNodeLabel`). */
export const INSTANCE_GROUP_NODE_LABEL = 'kops.k8s.io/instancegroup';

export function isControlPlane(ig: { spec?: InstanceGroupSpec }): boolean {
  return ig.spec?.role === 'Master' || ig.spec?.role === 'ControlPlane';
}

export function isNodeGroup(ig: { spec?: InstanceGroupSpec }): boolean {
  return ig.spec?.role === 'Node';
}

/** `time.Now().UTC()` as kops stamps `creationTimestamp` (RFC 3339, whole seconds). */
export function kopsTimestamp(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
