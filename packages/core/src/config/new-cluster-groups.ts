/**
 * The instance-group half of kops's NewCluster (upup/pkg/fi/cloudup/new_cluster.go): control planes
 * round-robin over their zones with the etcd clusters they carry (setupControlPlane, createEtcdCluster),
 * node groups per zone or one Karpenter group (setupNodes, setupKarpenterNodes) and API-server groups
 * (setupAPIServers). Groups are built without metadata labels, as kops builds them.
 */
import { InvalidConfigError } from '../errors/errors.js';
import type { ClusterSpec, EtcdClusterSpec, KopsInstanceGroup } from './kops-model.js';
import { KOPS_API_VERSION } from './kops-model.js';
import type { ZoneSubnets } from './new-cluster-network.js';
import type { NewClusterOptions } from './new-cluster.js';

/** A new group as kops starts one: name, role and (when given) equal min and max sizes. */
export function newGroup(name: string, role: 'Master' | 'Node' | 'Bastion' | 'APIServer', size?: number): KopsInstanceGroup {
  return { apiVersion: KOPS_API_VERSION, kind: 'InstanceGroup', metadata: { name }, spec: { role, ...(size === undefined ? {} : { minSize: size, maxSize: size }) } };
}

const zonal = (cloud: string) => cloud === 'gce' || cloud === 'azure';

/** First size as machineType; on AWS (or always, for single-group layouts) more than one make a mixed-instances policy. */
function applySizes(ig: KopsInstanceGroup, sizes: readonly string[] | undefined, mixed: boolean): void {
  if (!sizes || sizes.length === 0) return;
  ig.spec.machineType = sizes[0];
  if (mixed && sizes.length > 1) ig.spec.mixedInstancesPolicy = { instances: [...sizes] };
}

function subnetsOf(zoneSubnets: ZoneSubnets, zone: string) {
  const subnets = zoneSubnets.get(zone) ?? [];
  if (subnets.length === 0) throw new InvalidConfigError(`subnet not found for zone ${zone}; list it in --zones`);
  return subnets;
}

/** setupControlPlane: the control-plane groups and the etcd clusters (members one per group). */
export function setupControlPlane(
  spec: ClusterSpec,
  cloud: string,
  options: NewClusterOptions,
  zoneSubnets: ZoneSubnets,
  topology: 'public' | 'private',
  notices: string[],
): KopsInstanceGroup[] {
  let count = options.controlPlaneCount ?? 0;
  let zones = options.controlPlaneZones ?? [];
  if (zones.length > 0) {
    if (count !== 0 && count < zones.length) {
      throw new InvalidConfigError(`specified ${zones.length} control-plane zones, but also requested ${count} control-plane nodes.  If specifying both, the count should match.`);
    }
    if (count === 0) count = zones.length;
  } else {
    zones = options.zones;
    if (count === 0) count = 1;
  }
  const groups: KopsInstanceGroup[] = [];
  for (let i = 0; i < count; i++) {
    const zone = zones[i % zones.length]!;
    const numbered = cloud === 'digitalocean' ? count >= zones.length : count > zones.length;
    const ig = newGroup(`control-plane-${zone}${numbered ? `-${1 + Math.floor(i / zones.length)}` : ''}`, 'Master', 1);
    const main = subnetsOf(zoneSubnets, zone)[0]!;
    ig.spec.subnets = [options.ipv6 && topology === 'private' ? `dualstack-${main.name}` : main.name];
    if (zonal(cloud)) ig.spec.zones = [zone];
    applySizes(ig, options.controlPlaneSizes, cloud === 'aws');
    if (options.controlPlaneImage) ig.spec.image = options.controlPlaneImage;
    groups.push(ig);
  }
  const groupZones = groups.flatMap((g) => g.spec.zones ?? (g.spec.subnets ?? []).map((n) => spec.subnets?.find((s) => s.name === n)?.zone ?? ''));
  if (new Set(groupZones).size < groupZones.length) notices.push('Running with control-plane nodes in the same AZs; redundancy will be reduced');

  const names = [...(options.etcdClusters ?? ['main', 'events']), ...(options.networking === 'cilium-etcd' ? ['cilium'] : [])];
  const encrypted = options.encryptEtcdStorage ?? cloud === 'aws';
  spec.etcdClusters = names.map((name) => etcdCluster(name, groups, encrypted, options.etcdStorageType));
  return groups;
}

function etcdCluster(name: string, controlPlanes: readonly KopsInstanceGroup[], encrypted: boolean, volumeType: string | undefined): EtcdClusterSpec {
  const memberNames = trimCommonPrefix(controlPlanes.map((g) => g.metadata.name!.replace(/^control-plane-/, '').replace(/^master-/, '')));
  return {
    name,
    cpuRequest: name === 'main' ? '200m' : '100m',
    memoryRequest: '100Mi',
    manager: { backupRetentionDays: 90 },
    etcdMembers: controlPlanes.map((g, i) => ({
      name: memberNames[i]!,
      instanceGroup: g.metadata.name!,
      ...(encrypted ? { encryptedVolume: true } : {}),
      ...(volumeType ? { volumeType } : {}),
    })),
  };
}

/** kops's etcd member names: strip the common leading characters; names starting with a digit get `etcd-`. */
export function trimCommonPrefix(input: readonly string[]): string[] {
  const names = [...input];
  while (names.length > 0 && names[0]!.length > 1) {
    const first = names[0]![0]!;
    if (!names.every((n) => n.startsWith(first))) break;
    for (let i = 0; i < names.length; i++) names[i] = names[i]!.slice(1);
  }
  return names.map((n) => (/^[0-9]/.test(n) ? `etcd-${n}` : n));
}

/** Splits `total` over `parts`, the remainder going to the first ones. */
function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** setupNodes: one group per zone (nodes-ZONE), node count divided over them; or one group with the AWSSingleNodesInstanceGroup flag. */
export function setupNodes(cloud: string, options: NewClusterOptions, zoneSubnets: ZoneSubnets, singleGroup: boolean): KopsInstanceGroup[] {
  if (singleGroup) {
    const ig = newGroup('nodes', 'Node', options.nodeCount || 1);
    ig.spec.subnets = options.zones.flatMap((zone) => subnetsOf(zoneSubnets, zone).slice(1).map((s) => s.name));
    applySizes(ig, options.nodeSizes, true);
    if (options.nodeImage) ig.spec.image = options.nodeImage;
    return [ig];
  }
  const counts = shares(options.nodeCount || options.zones.length, options.zones.length);
  return options.zones.map((zone, i) => {
    const ig = newGroup(`nodes-${zone}`, 'Node', counts[i]!);
    const subnets = subnetsOf(zoneSubnets, zone);
    ig.spec.subnets = (subnets.length === 1 ? subnets : subnets.slice(1)).map((s) => s.name);
    if (zonal(cloud)) ig.spec.zones = [zone];
    if (cloud === 'gce') ig.spec.nodeLabels = {};
    applySizes(ig, options.nodeSizes, cloud === 'aws');
    if (options.nodeImage) ig.spec.image = options.nodeImage;
    return ig;
  });
}

/** setupKarpenterNodes: one `nodes` group managed by Karpenter; --node-count becomes its minSize. */
export function setupKarpenterNodes(options: NewClusterOptions): KopsInstanceGroup[] {
  const ig = newGroup('nodes', 'Node');
  ig.spec.manager = 'Karpenter';
  if (options.nodeCount && options.nodeCount > 0) ig.spec.minSize = options.nodeCount;
  applySizes(ig, options.nodeSizes, true);
  return [ig];
}

/** setupAPIServers: `--api-server-count` divided over the zones, one group per zone (apiserver-ZONE). */
export function setupApiServers(cloud: string, options: NewClusterOptions, zoneSubnets: ZoneSubnets): KopsInstanceGroup[] {
  const total = options.apiServerCount ?? 0;
  if (total === 0) return [];
  if ((options.apiServerSizes ?? []).length > 1) throw new InvalidConfigError('multiple machine types for IG group not currently supported (--api-server-size takes one)');
  const counts = shares(total, options.zones.length);
  return options.zones.map((zone, i) => {
    const ig = newGroup(`apiserver-${zone}`, 'APIServer', counts[i]!);
    ig.spec.subnets = subnetsOf(zoneSubnets, zone).map((s) => s.name);
    if (zonal(cloud)) ig.spec.zones = [zone];
    applySizes(ig, options.apiServerSizes, false);
    return ig;
  });
}
