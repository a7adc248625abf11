/**
 * kops's `PerformAssignments` (upup/pkg/fi/cloudup/defaults.go, subnets.go, gce/network.go): the values
 * `create cluster` fixes once so they never move — etcd backup retention, the network CIDR, the
 * non-masquerade CIDR, subnet CIDRs, the API's public name, the Kubernetes version.
 *
 * Where kops would ask the cloud (a shared VPC's CIDR, the CIDRs already used in a GCE network),
 * Statestore assumes a new network and asks for the value on the command line instead.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { CidrAllocator, containsAddress, formatCidr, overlaps, parseCidr, splitCidr, type Ipv4Cidr } from './cidr.js';
import { DEFAULT_AWS_NETWORK_CIDR, DEFAULT_AZURE_NETWORK_CIDR, DEFAULT_KUBERNETES_VERSION, DEFAULT_NON_MASQUERADE_CIDR } from './kops-defaults.js';
import type { ClusterSpec, ClusterSubnetSpec, KopsCluster } from './kops-model.js';

/** Fills the assigned values into `cluster` in place. */
export function performAssignments(cluster: KopsCluster): void {
  const spec = cluster.spec;
  for (const etcd of spec.etcdClusters ?? []) {
    etcd.manager ??= {};
    etcd.manager.backupRetentionDays ??= 90;
  }
  spec.topology ??= {};
  const cloud = spec.cloudProvider;
  if (cloud === 'gce') assignGceNetwork(spec);
  if (cloud === 'aws' && !spec.networkCIDR) {
    if (spec.networkID) throw new InvalidConfigError('unable to infer the network CIDR of a shared VPC without asking AWS; specify --network-cidr');
    spec.networkCIDR = DEFAULT_AWS_NETWORK_CIDR;
    if (spec.networking && 'amazonvpc' in spec.networking && spec.nonMasqueradeCIDR !== '::/0') spec.nonMasqueradeCIDR = spec.networkCIDR;
  }
  if (cloud === 'azure' && !spec.networkCIDR) {
    if (spec.networkID) throw new InvalidConfigError('unable to infer the network CIDR of a shared network without asking Azure; specify --network-cidr');
    spec.networkCIDR = DEFAULT_AZURE_NETWORK_CIDR;
  }
  spec.nonMasqueradeCIDR ||= DEFAULT_NON_MASQUERADE_CIDR;
  if (spec.topology.dns?.type === 'Public' && !spec.masterPublicName && cluster.metadata.name) spec.masterPublicName = `api.${cluster.metadata.name}`;
  if (cloud === 'aws' || cloud === 'openstack' || cloud === 'azure') assignSubnetCidrs(spec);
  spec.kubernetesVersion ||= DEFAULT_KUBERNETES_VERSION;
}

function subnetNeedsCidr(s: ClusterSubnetSpec): boolean {
  return !s.cidr && !(s.ipv6CIDR && s.type === 'Private');
}

/**
 * Splits the network CIDR into 1, 2, 4 or 8 blocks (one per zone subnet, plus one for the utility
 * subnets, which share the first free block cut in eight), skipping blocks already in use.
 */
export function assignSubnetCidrs(spec: ClusterSpec): void {
  const subnets = spec.subnets ?? [];
  if (!subnets.some(subnetNeedsCidr)) return;
  const shared = subnets.findIndex((s) => s.id && !s.cidr);
  if (shared >= 0) {
    const s = subnets[shared]!;
    throw new InvalidConfigError(
      `subnet ${JSON.stringify(s.name)} is the existing subnet ${s.id}: Statestore does not ask the cloud for its CIDR (kops does); give it with --set spec.subnets[${shared}].cidr=CIDR`,
    );
  }
  if (!spec.networkCIDR) throw new InvalidConfigError('Invalid NetworkCIDR: ""; set spec.networkCIDR');
  const network = parseCidr(spec.networkCIDR);
  const big: ClusterSubnetSpec[] = [];
  const little: ClusterSubnetSpec[] = [];
  const reserved: Ipv4Cidr[] = [];
  for (const s of subnets) {
    if (s.cidr) {
      const c = parseCidr(s.cidr);
      if (!containsAddress(network, c)) continue;
      reserved.push(c);
    }
    if (s.type === 'DualStack' || s.type === 'Public' || s.type === 'Private') big.push(s);
    else if (s.type === 'Utility') little.push(s);
    else throw new InvalidConfigError(`subnet ${JSON.stringify(s.name)} has unknown type ${JSON.stringify(s.type ?? '')}`);
  }
  const byZone = (a: ClusterSubnetSpec, b: ClusterSubnetSpec) => ((a.zone ?? '') < (b.zone ?? '') ? -1 : (a.zone ?? '') > (b.zone ?? '') ? 1 : 0);
  big.sort(byZone);
  little.sort(byZone);
  const slices = big.length + (little.length > 0 ? 1 : 0);
  const bits = slices <= 1 ? 0 : slices <= 2 ? 1 : slices <= 4 ? 2 : 3;
  let blocks = splitCidr(network, bits).filter((b) => !reserved.some((r) => overlaps(r, b)));
  if (blocks.length === 0) throw new InvalidConfigError('could not find any non-overlapping CIDRs in parent NetworkCIDR; cannot automatically assign CIDR to subnet');
  if (little.length > 0) {
    const small = splitCidr(blocks[0]!, 3);
    blocks = blocks.slice(1);
    for (const s of little) {
      if (s.cidr) continue;
      const next = small.shift();
      if (!next) throw new InvalidConfigError(`insufficient (little) CIDRs remaining for automatic CIDR allocation to subnet ${JSON.stringify(s.name)}`);
      s.cidr = formatCidr(next);
    }
  }
  for (const s of big) {
    if (s.cidr || (s.ipv6CIDR && s.type === 'Private')) continue;
    const next = blocks.shift();
    if (!next) throw new InvalidConfigError(`insufficient (big) CIDRs remaining for automatic CIDR allocation to subnet ${JSON.stringify(s.name)}`);
    s.cidr = formatCidr(next);
  }
}

/** GCE: regional subnets get /20 blocks of 10.0.0.0/8; IP-alias networking also gets pod and service ranges. */
function assignGceNetwork(spec: ClusterSpec): void {
  const subnets = spec.subnets ?? [];
  const range = parseCidr('10.0.0.0/8');
  const allocator = new CidrAllocator();
  const ipAlias = spec.networking !== undefined && ('gce' in spec.networking || 'kindnet' in spec.networking);
  if (ipAlias) {
    if (subnets.length !== 1) throw new InvalidConfigError('expected exactly one subnet with GCE IP Aliases');
    const node = subnets[0]!;
    if (spec.podCIDR && spec.serviceClusterIPRange && node.cidr) return;
    const pod = allocator.allocate(range, 14);
    const service = allocator.allocate(range, 16);
    const nodes = allocator.allocate(range, 19);
    node.cidr = formatCidr(nodes);
    spec.podCIDR = formatCidr(pod);
    spec.serviceClusterIPRange = formatCidr(service);
    spec.nonMasqueradeCIDR = formatCidr(range);
    return;
  }
  for (const s of subnets) if (s.cidr) allocator.markInUse(parseCidr(s.cidr));
  for (const s of subnets) {
    if (s.id || s.cidr) continue;
    s.cidr = formatCidr(allocator.allocate(range, 20));
  }
}
