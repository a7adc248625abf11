/**
 * A new InstanceGroup for `create instancegroup`, with the defaults kops's PopulateInstanceGroupSpec
 * gives it: machine type and image for the cluster's cloud, sizes (1 for control planes and bastions,
 * 2 for nodes), subnets (every non-utility subnet when none are named) and the instance-group node label.
 * Like kops, it carries no `kops.k8s.io/cluster` label: kops adds that when it reads the group back, and
 * to `--dry-run` output.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { defaultImage, defaultMachineType, machineArchitecture } from './kops-defaults.js';
import { INSTANCE_GROUP_NODE_LABEL, KOPS_API_VERSION, kopsTimestamp, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';

export interface NewInstanceGroupOptions {
  name: string;
  /** Master (control-plane), Node, Bastion or APIServer; case-insensitive; `control-plane`/`ControlPlane` mean Master. */
  role: string;
  subnets?: string[];
  zones?: string[];
  machineType?: string;
  image?: string;
  now?: Date;
}

const ROLES: Record<string, string> = { master: 'Master', controlplane: 'Master', 'control-plane': 'Master', node: 'Node', bastion: 'Bastion', apiserver: 'APIServer' };

/** kops's role names, accepted leniently. */
export function parseInstanceGroupRole(role: string): string {
  const r = ROLES[role.toLowerCase()];
  if (!r) throw new InvalidConfigError(`unknown role ${JSON.stringify(role)}; use Node, Master (control-plane), Bastion or APIServer`);
  return r;
}

export function newInstanceGroup(cluster: KopsCluster, options: NewInstanceGroupOptions): KopsInstanceGroup {
  const role = parseInstanceGroupRole(options.role);
  const cloud = cluster.spec.cloudProvider ?? '';
  const kind = role === 'Master' ? 'control-plane' : role === 'Bastion' ? 'bastion' : 'node';
  const machineType = options.machineType ?? defaultMachineType(cloud, kind);
  if (!machineType) throw new InvalidConfigError(`No default machine type for ${kind} instance groups on ${cloud || 'this cloud'}; pass --machine-type`);
  const size = role === 'Node' || role === 'APIServer' ? 2 : 1;
  let subnets = options.subnets ?? [];
  const clusterSubnets = cluster.spec.subnets ?? [];
  if (subnets.length === 0) {
    if (role === 'Master') throw new InvalidConfigError(`control-plane InstanceGroup ${options.name} did not specify any Subnets; pass --subnet`);
    subnets = clusterSubnets.filter((s) => s.type !== 'DualStack' && s.type !== 'Utility').map((s) => s.name);
    if (subnets.length === 0) subnets = clusterSubnets.filter((s) => s.type !== 'Utility').map((s) => s.name);
  }
  if (cloud === 'gce' && (options.zones ?? []).length === 0) throw new InvalidConfigError('zone flag is required for GCE clusters: pass --zones');
  const image = options.image ?? defaultImage(cloud, cluster.spec.kubernetesVersion ?? '', machineArchitecture(cloud, machineType));
  return {
    apiVersion: KOPS_API_VERSION,
    kind: 'InstanceGroup',
    metadata: { creationTimestamp: kopsTimestamp(options.now), name: options.name },
    spec: {
      image,
      machineType,
      maxSize: size,
      minSize: size,
      nodeLabels: { [INSTANCE_GROUP_NODE_LABEL]: options.name, ...(cloud === 'gce' ? { 'cloud.google.com/metadata-proxy-ready': 'true' } : {}) },
      role,
      subnets,
      ...(options.zones && options.zones.length > 0 ? { zones: options.zones } : {}),
    },
  };
}
