/**
 * The network half of kops's NewCluster (upup/pkg/fi/cloudup/new_cluster.go): subnets per zone
 * (setupZones), the networking plugin (setupNetworking), topology with its utility, dual-stack and
 * bastion parts (setupTopology, setupDNSTopology) and how the API is reached (setupAPI). Shared subnets
 * and VPCs are taken as given: where kops asks the cloud (which zone a subnet is in), Statestore asks
 * the user to say it.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { azureZoneToLocation, gceZoneToRegion } from './cloud-regions.js';
import type { ClusterSpec, ClusterSubnetSpec, KopsInstanceGroup } from './kops-model.js';
import { newGroup } from './new-cluster-groups.js';
import type { NewClusterOptions } from './new-cluster.js';

/** Subnets by zone, in the order kops adds them (the zone's main subnet first). */
export type ZoneSubnets = Map<string, ClusterSubnetSpec[]>;

const NETWORKING: Record<string, (spec: ClusterSpec) => void> = {
  kubenet: (s) => (s.networking = { kubenet: {} }),
  external: (s) => (s.networking = { external: {} }),
  cni: (s) => (s.networking = { cni: {} }),
  kopeio: (s) => (s.networking = { kopeio: {} }),
  'kopeio-vxlan': (s) => (s.networking = { kopeio: {} }),
  flannel: (s) => (s.networking = { flannel: { backend: 'vxlan' } }),
  'flannel-vxlan': (s) => (s.networking = { flannel: { backend: 'vxlan' } }),
  'flannel-udp': (s) => (s.networking = { flannel: { backend: 'udp' } }),
  calico: (s) => (s.networking = { calico: {} }),
  'kube-router': (s) => {
    s.networking = { kuberouter: {} };
    s.kubeProxy = { ...s.kubeProxy, enabled: false };
  },
  amazonvpc: (s) => (s.networking = { amazonvpc: {} }),
  'amazon-vpc-routed-eni': (s) => (s.networking = { amazonvpc: {} }),
  cilium: (s) => cilium(s, {}),
  'cilium-etcd': (s) => cilium(s, { etcdManaged: true }),
  'cilium-eni': (s) => cilium(s, { ipam: 'eni' }),
  gcp: (s) => (s.networking = { gce: {} }),
  gce: (s) => (s.networking = { gce: {} }),
  kindnet: (s) => (s.networking = { kindnet: {} }),
};

function cilium(spec: ClusterSpec, extra: Record<string, unknown>): void {
  spec.networking = { cilium: { enableNodePort: true, ...extra } };
  spec.kubeProxy = { ...spec.kubeProxy, enabled: false };
}

/** Names `--networking` accepts. */
export const NETWORKING_OPTIONS = Object.keys(NETWORKING);

/** Sets `spec.networking` (and `kubeProxy.enabled` where the plugin replaces kube-proxy) as kops does. */
export function applyNetworking(spec: ClusterSpec, networking: string): void {
  const apply = NETWORKING[networking];
  if (!apply) throw new InvalidConfigError(`unknown networking mode ${JSON.stringify(networking)}; use one of ${NETWORKING_OPTIONS.join(', ')}`);
  apply(spec);
}

/**
 * `--subnets`/`--utility-subnets` → subnet id by zone. kops asks the cloud which zone each subnet is in;
 * Statestore takes `ZONE=ID`, or a plain ID when the cluster has one zone (kops allows one subnet per zone).
 */
export function subnetIdsByZone(ids: readonly string[], zones: readonly string[], flag: string): Map<string, string> {
  const byZone = new Map<string, string>();
  for (const entry of ids) {
    const eq = entry.indexOf('=');
    let zone: string;
    let id: string;
    if (eq > 0) {
      zone = entry.slice(0, eq);
      id = entry.slice(eq + 1);
      if (!zones.includes(zone)) throw new InvalidConfigError(`${flag} ${entry}: zone ${zone} is not one of the cluster's zones (${zones.join(', ')})`);
    } else if (zones.length === 1) {
      zone = zones[0]!;
      id = entry;
    } else {
      throw new InvalidConfigError(
        `${flag} ${entry}: Statestore cannot ask the cloud which zone subnet ${entry} is in (kops does); give it as ZONE=ID, e.g. ${flag} ${zones[0]}=${entry}`,
      );
    }
    const other = byZone.get(zone);
    if (other) throw new InvalidConfigError(`subnet ${id} and ${other} have the same zone`);
    byZone.set(zone, id);
  }
  return byZone;
}

/** setupZones: one subnet per zone (per region on GCE and Azure), plus one per extra network CIDR. */
export function setupZones(spec: ClusterSpec, cloud: string, options: NewClusterOptions, allZones: readonly string[]): ZoneSubnets {
  const byZone: ZoneSubnets = new Map();
  const subnets: ClusterSubnetSpec[] = (spec.subnets = []);
  const add = (zone: string, subnet: ClusterSubnetSpec) => {
    const found = subnets.find((s) => s.name === subnet.name);
    const s = found ?? subnet;
    if (!found) subnets.push(s);
    byZone.set(zone, [...(byZone.get(zone) ?? []), s]);
  };
  const zones = options.zones;
  const subnetIds = options.subnetIds ?? [];
  switch (cloud) {
    case 'gce':
      if (subnetIds.length > 1) throw new InvalidConfigError(`expected exactly one subnet for GCE, got ${subnetIds.length}`);
      for (const zone of allZones) {
        const region = gceZoneToRegion(zone);
        add(zone, { name: region, region, ...(subnetIds.length === 1 ? { id: subnetIds[0] } : {}) });
      }
      return byZone;
    case 'azure':
      for (const zone of allZones) add(zone, { name: options.name, region: azureZoneToLocation(zone) });
      return byZone;
    case 'digitalocean':
    case 'linode': {
      if (zones.length > 1) throw new InvalidConfigError(cloud === 'linode' ? 'linode cloud provider currently supports one region only' : 'digitalocean cloud provider currently supports one region only.');
      const region = zones[0]!;
      add(region, { name: region, region, zone: region });
      return byZone;
    }
    case 'hetzner':
      if (zones.length > 1) throw new InvalidConfigError('hetzner cloud provider currently supports only one zone (location)');
      break;
    case 'scaleway':
      if (zones.length > 1) throw new InvalidConfigError('scaleway cloud provider currently supports only one availability zone');
      break;
  }
  const ids = (cloud === 'aws' || cloud === 'openstack') && subnetIds.length > 0 ? subnetIdsByZone(subnetIds, [...allZones], '--subnets') : new Map<string, string>();
  const egress = options.egress ? { egress: options.egress } : {};
  for (const zone of allZones) {
    const id = ids.get(zone);
    add(zone, { name: zone, zone, ...egress, ...(id ? { id } : {}) });
  }
  (options.networkCidrs ?? []).slice(1).forEach((cidr, i) => {
    const zone = zones[i % zones.length]!;
    const id = ids.get(zone);
    add(zone, { name: `${zone}-${i + 1}`, zone, cidr, ...egress, ...(id ? { id } : {}) });
  });
  return byZone;
}

/** setupDNSTopology: `--dns` (default none, or public when a DNS zone is given). */
function dnsType(options: NewClusterOptions): string {
  switch ((options.dns ?? '').toLowerCase()) {
    case '':
      return options.dnsZone ? 'Public' : 'None';
    case 'public':
      return 'Public';
    case 'private':
      return 'Private';
    case 'none':
      return 'None';
    default:
      throw new InvalidConfigError(`unknown DNSType: ${JSON.stringify(options.dns)}; use public, private or none`);
  }
}

/**
 * setupTopology: subnet types, utility and dual-stack subnets for private clusters, the bastion group,
 * and the IPv6 settings. Returns the topology used and the bastion groups.
 */
export function setupTopology(spec: ClusterSpec, cloud: string, options: NewClusterOptions, allZones: readonly string[]): { topology: 'public' | 'private'; bastions: KopsInstanceGroup[] } {
  const topology = options.topology || (options.ipv6 ? 'private' : 'public');
  spec.topology = { dns: { type: dnsType(options) } };
  const subnets = spec.subnets ?? [];
  const bastions: KopsInstanceGroup[] = [];
  if (topology === 'public') {
    if (options.bastion) throw new InvalidConfigError("bastion supports --topology='private' only");
    for (const s of subnets) s.type = 'Public';
  } else if (topology === 'private') {
    if (spec.networking && 'kubenet' in spec.networking) throw new InvalidConfigError(`invalid networking option ${options.networking}. Kubenet does not support private topology`);
    for (const s of subnets) s.type = 'Private';
    const utilityIds = (cloud === 'aws' || cloud === 'openstack') && (options.utilitySubnetIds ?? []).length > 0 ? subnetIdsByZone(options.utilitySubnetIds!, [...allZones], '--utility-subnets') : new Map<string, string>();
    const derived = (prefix: string, type: 'DualStack' | 'Utility') =>
      subnets
        .filter((s) => s.type === 'Private')
        .map((s): ClusterSubnetSpec => {
          const id = utilityIds.get(s.zone ?? '');
          return { name: `${prefix}${s.name}`, ...(s.zone ? { zone: s.zone } : {}), type, ...(s.region ? { region: s.region } : {}), ...(id ? { id } : {}) };
        });
    if (options.ipv6) subnets.push(...derived('dualstack-', 'DualStack'));
    if (cloud !== 'gce') subnets.push(...derived('utility-', 'Utility'));
    if (options.bastion) {
      const bastion = newGroup('bastions', 'Bastion', 1);
      if (spec.topology.dns?.type !== 'None') spec.topology.bastion = { bastionPublicName: `bastion.${options.name}` };
      if (options.ipv6) bastion.spec.subnets = subnets.filter((s) => s.type === 'DualStack').map((s) => s.name);
      if (cloud === 'gce') bastion.spec.zones = [...allZones];
      if (options.bastionImage) bastion.spec.image = options.bastionImage;
      bastions.push(bastion);
    }
  } else {
    throw new InvalidConfigError(`invalid topology ${topology}; use public or private`);
  }
  if (options.ipv6) {
    spec.nonMasqueradeCIDR = '::/0';
    spec.cloudControllerManager = {};
    if (cloud === 'aws') subnets.forEach((s, i) => (s.ipv6CIDR = `/64#${i.toString(16)}`));
  }
  return { topology, bastions };
}

/** setupAPI: DNS for public clusters that publish records, else a load balancer (Network class on AWS). */
export function setupApi(spec: ClusterSpec, cloud: string, topology: 'public' | 'private', options: NewClusterOptions): void {
  const api: NonNullable<ClusterSpec['api']> = { ...spec.api };
  if (options.apiLoadBalancerType || options.apiSslCertificate) api.loadBalancer = {};
  else if (topology === 'private' || spec.topology?.dns?.type === 'None') api.loadBalancer = {};
  else api.dns = {};
  if (api.loadBalancer && !api.loadBalancer.type) {
    const type = { '': 'Public', public: 'Public', internal: 'Internal' }[options.apiLoadBalancerType ?? ''];
    if (!type) throw new InvalidConfigError(`unknown api-loadbalancer-type: ${JSON.stringify(options.apiLoadBalancerType)}; use public or internal`);
    api.loadBalancer.type = type;
  }
  if (api.loadBalancer && options.apiSslCertificate) api.loadBalancer.sslCertificate = options.apiSslCertificate;
  if (api.loadBalancer && !api.loadBalancer.class && cloud === 'aws') api.loadBalancer.class = 'Network';
  spec.api = api;
}
