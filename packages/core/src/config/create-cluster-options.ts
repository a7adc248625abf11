/**
 * The `create cluster` options kops applies after NewCluster (cmd/kops/create_cluster.go, RunCreateCluster):
 * cloud labels, public IPs, tenancy, extra security groups and root volumes of the control-plane and node
 * groups, the DNS zone, the network CIDRs, subnet tagging and the API's public name.
 */
import { parseCloudLabels } from './cloud-labels.js';
import type { KopsInstanceGroup } from './kops-model.js';
import type { NewClusterResult } from './new-cluster.js';

export interface CreateClusterOptions {
  /** `--cloud-labels "Key=Value,…"` (values may be double-quoted). */
  cloudLabels?: string;
  /** `--associate-public-ip=true|false` on every group. */
  associatePublicIp?: boolean;
  /** `--control-plane-tenancy`, `--node-tenancy` (AWS: default, dedicated or host). */
  controlPlaneTenancy?: string;
  nodeTenancy?: string;
  /** `--node-security-groups`, `--control-plane-security-groups`: extra security groups. */
  nodeSecurityGroups?: string[];
  controlPlaneSecurityGroups?: string[];
  /** `--control-plane-volume-size` (GB) and `--control-plane-volume-type`; the same for nodes. */
  controlPlaneVolumeSize?: number;
  controlPlaneVolumeType?: string;
  nodeVolumeSize?: number;
  nodeVolumeType?: string;
  /** `--dns-zone`. */
  dnsZone?: string;
  /** `--network-cidr` (the first is spec.networkCIDR, the rest spec.additionalNetworkCIDRs). */
  networkCidrs?: string[];
  /** `--disable-subnet-tags`. */
  disableSubnetTags?: boolean;
  /** `--api-public-name` (`--master-public-name`). */
  apiPublicName?: string;
}

/** Applies the options to the result of newCluster, in kops's order. */
export function applyCreateClusterOptions(result: NewClusterResult, options: CreateClusterOptions): void {
  const spec = result.cluster.spec;
  const controlPlanes = result.instanceGroups.filter((g) => g.spec.role === 'Master');
  const nodes = result.instanceGroups.filter((g) => g.spec.role === 'Node');
  const labels = parseCloudLabels(options.cloudLabels ?? '');
  if (Object.keys(labels).length > 0) spec.cloudLabels = labels;
  if (options.associatePublicIp !== undefined) for (const g of result.instanceGroups) g.spec.associatePublicIp = options.associatePublicIp;
  if (options.controlPlaneTenancy) for (const g of controlPlanes) g.spec.tenancy = options.controlPlaneTenancy;
  if (options.nodeTenancy) for (const g of nodes) g.spec.tenancy = options.nodeTenancy;
  if (options.nodeSecurityGroups?.length) for (const g of nodes) g.spec.additionalSecurityGroups = [...options.nodeSecurityGroups];
  if (options.controlPlaneSecurityGroups?.length) for (const g of controlPlanes) g.spec.additionalSecurityGroups = [...options.controlPlaneSecurityGroups];
  rootVolume(controlPlanes, options.controlPlaneVolumeSize, options.controlPlaneVolumeType);
  rootVolume(nodes, options.nodeVolumeSize, options.nodeVolumeType);
  if (options.dnsZone) spec.dnsZone = options.dnsZone;
  (options.networkCidrs ?? []).forEach((cidr, i) => {
    if (i === 0) spec.networkCIDR = cidr;
    else spec.additionalNetworkCIDRs = [...(spec.additionalNetworkCIDRs ?? []), cidr];
  });
  // v1alpha2 stores the inverse of the internal TagSubnets under this capitalised key.
  if (options.disableSubnetTags) spec.DisableSubnetTags = true;
  if (options.apiPublicName) spec.masterPublicName = options.apiPublicName;
}

/** v1alpha2's rootVolumeSize / rootVolumeType (internal rootVolume.size / .type). */
function rootVolume(groups: readonly KopsInstanceGroup[], size: number | undefined, type: string | undefined): void {
  for (const g of groups) {
    if (size) g.spec.rootVolumeSize = size;
    if (type) g.spec.rootVolumeType = type;
  }
}
