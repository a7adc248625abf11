/**
 * The Cluster and InstanceGroups `kops create cluster` builds from its flags (upup/pkg/fi/cloudup/
 * new_cluster.go: NewCluster and its setup* steps, plus the flag mapping of cmd/kops/create_cluster.go),
 * in v1alpha2 form and before `PerformAssignments` (see assignments.ts). Nothing here talks to a cloud.
 */
import { InvalidConfigError } from '../errors/errors.js';
import {
  DEFAULT_ADMIN_ACCESS,
  DEFAULT_CHANNEL,
  DEFAULT_ETCD_CLUSTERS,
  DEFAULT_KUBERNETES_VERSION,
  DEFAULT_NETWORKING,
  KOPS_CLOUDS,
  defaultImage,
  defaultMachineType,
  guessCloudForPath,
  guessCloudForZones,
  machineArchitecture,
  parseKubernetesVersion,
} from './kops-defaults.js';
import {
  CLUSTER_LABEL,
  INSTANCE_GROUP_NODE_LABEL,
  KOPS_API_VERSION,
  type ClusterSpec,
  type ClusterSubnetSpec,
  type EtcdClusterSpec,
  type KopsCluster,
  type KopsInstanceGroup,
} from './kops-model.js';

/** The `create cluster` flags Statestore supports, named as kops names them. */
export interface NewClusterOptions {
  /** Cluster name (a DNS-1123 subdomain). */
  name: string;
  /** Where the cluster's configuration lives: `{store}/{name}` in kops's path form (bare path for local stores). */
  configBase: string;
  /** `--cloud`; guessed from configBase's scheme when absent, as kops does. */
  cloud?: string;
  /** `--zones` (required). */
  zones: string[];
  /** `--control-plane-zones`; defaults to `zones`. */
  controlPlaneZones?: string[];
  /** `--control-plane-count`; defaults to the number of control-plane zones given, else 1. */
  controlPlaneCount?: number;
  /** `--control-plane-size`: machine types (the first is used; more make a mixed-instances policy on AWS). */
  controlPlaneSizes?: string[];
  /** `--node-count`: total nodes, divided across the node groups (one per zone). */
  nodeCount?: number;
  /** `--node-size`. */
  nodeSizes?: string[];
  /** `--kubernetes-version`; defaults to the stable channel's recommendation. */
  kubernetesVersion?: string;
  /** `--networking` (default cilium). */
  networking?: string;
  /** `--topology public|private` (default public). */
  topology?: string;
  /** `--image` for every instance group. */
  image?: string;
  /** `--network-cidr`, repeatable: the first is the VPC CIDR, the rest additional CIDRs with their own subnets. */
  networkCidrs?: string[];
  /** `--admin-access` (default 0.0.0.0/0 and ::/0). */
  adminAccess?: string[];
  /** `--ssh-access` (defaults to the admin access). */
  sshAccess?: string[];
  /** `--channel` (default stable). */
  channel?: string;
  /** `--authorization RBAC|AlwaysAllow` (default RBAC). */
  authorization?: string;
  /** `--dns public|private|none` (default none unless a DNS zone is given). */
  dns?: string;
  /** `--dns-zone`. */
  dnsZone?: string;
  /** `--project` (GCE). */
  project?: string;
  /** Environment consulted when guessing the cloud (HCLOUD_TOKEN, LINODE_TOKEN). */
  env?: NodeJS.ProcessEnv;
}

export interface NewClusterResult {
  cluster: KopsCluster;
  /** Control planes, then nodes, in kops's order. */
  instanceGroups: KopsInstanceGroup[];
  /** Things the caller should tell the user (e.g. how the cloud was chosen). */
  notices: string[];
}

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

/** GCE zone `us-central1-a` → region `us-central1`. */
function gceRegion(zone: string): string {
  const i = zone.lastIndexOf('-');
  if (i <= 0) throw new InvalidConfigError(`Invalid GCE zone ${JSON.stringify(zone)}: expected REGION-LETTER, e.g. us-central1-a`);
  return zone.slice(0, i);
}

/** Builds the Cluster and InstanceGroups for `create cluster`. */
export function newCluster(options: NewClusterOptions): NewClusterResult {
  const name = options.name;
  if (!name) throw new InvalidConfigError('The cluster name is required (e.g. create cluster demo.example.com)');
  const kubernetesVersion = options.kubernetesVersion || DEFAULT_KUBERNETES_VERSION;
  parseKubernetesVersion(kubernetesVersion);
  const spec: ClusterSpec = { channel: options.channel || DEFAULT_CHANNEL, kubernetesVersion, configBase: options.configBase };

  const authorization = options.authorization ?? 'RBAC';
  if (/^alwaysallow$/i.test(authorization)) spec.authorization = { alwaysAllow: {} };
  else if (authorization === '' || /^rbac$/i.test(authorization)) spec.authorization = { rbac: {} };
  else throw new InvalidConfigError(`unknown authorization mode ${JSON.stringify(authorization)}; use RBAC or AlwaysAllow`);

  spec.iam = { allowContainerRegistry: true, legacy: false };
  spec.kubelet = { anonymousAuth: false };
  const adminAccess = options.adminAccess && options.adminAccess.length > 0 ? options.adminAccess : [...DEFAULT_ADMIN_ACCESS];
  spec.kubernetesApiAccess = adminAccess;
  spec.sshAccess = options.sshAccess && options.sshAccess.length > 0 ? options.sshAccess : [...adminAccess];

  const zones = options.zones;
  if (!zones || zones.length === 0) throw new InvalidConfigError('must specify at least one zone for the cluster (use --zones)');
  const allZones = [...new Set([...zones, ...(options.controlPlaneZones ?? [])])].sort();

  const notices: string[] = [];
  let cloud = options.cloud || guessCloudForPath(options.configBase, options.env);
  if (!cloud) {
    cloud = guessCloudForZones(allZones);
    if (cloud) notices.push(`Using cloud ${cloud}, from the zone names (${allZones.join(', ')}): the store location implies none. Pass --cloud to choose.`);
  }
  if (!cloud) {
    throw new InvalidConfigError(
      `pass in the cloud provider explicitly using --cloud: cannot infer cloud provider from path ${JSON.stringify(options.configBase)} (only s3://, gs://, swift://, do://, hos://, linode://, scw:// and azureblob:// stores imply a cloud) nor from the zone names`,
    );
  }
  if (!(KOPS_CLOUDS as readonly string[]).includes(cloud)) throw new InvalidConfigError(`unsupported cloud provider ${cloud}; use one of ${KOPS_CLOUDS.join(', ')}`);
  spec.cloudProvider = cloud;

  if (cloud === 'gce') {
    spec.cloudConfig = {};
    if (options.project) spec.project = options.project;
  } else if (cloud === 'azure') {
    spec.cloudConfig = {};
  } else if (cloud === 'openstack') {
    spec.cloudConfig = {
      openstack: {
        blockStorage: { 'bs-version': 'v3', clusterName: name, 'ignore-volume-az': false },
        monitor: { delay: '15s', maxRetries: 3, timeout: '10s' },
        router: { externalNetwork: '' },
      },
    };
    spec.cloudControllerManager = { clusterName: name };
  }

  const networkCidrs = options.networkCidrs ?? [];
  const zoneSubnets = setupZones(spec, cloud, name, zones, allZones, networkCidrs);
  applyNetworking(spec, options.networking || DEFAULT_NETWORKING);
  const topology = setupTopology(spec, cloud, options);
  const controlPlanes = setupControlPlane(spec, cloud, options, zones, zoneSubnets);
  const nodes = setupNodes(cloud, options, zones, zoneSubnets);
  setupApi(spec, cloud, topology);

  networkCidrs.forEach((cidr, i) => {
    if (i === 0) spec.networkCIDR = cidr;
    else (spec.additionalNetworkCIDRs ??= []).push(cidr);
  });
  if (options.dnsZone) spec.dnsZone = options.dnsZone;

  const instanceGroups = [...controlPlanes, ...nodes];
  for (const ig of instanceGroups) {
    const role = ig.spec.role === 'Master' ? 'control-plane' : 'node';
    if (!ig.spec.image) ig.spec.image = options.image || defaultImage(cloud, kubernetesVersion, machineArchitecture(cloud, ig.spec.machineType));
    if (!ig.spec.machineType) {
      const type = defaultMachineType(cloud, role);
      if (!type) {
        throw new InvalidConfigError(
          `No default machine type for ${role} instance groups on ${cloud}: kops asks the cloud for one; pass --${role === 'node' ? 'node' : 'control-plane'}-size`,
        );
      }
      ig.spec.machineType = type;
    }
    if (!ig.spec.subnets || ig.spec.subnets.length === 0) {
      ig.spec.subnets = (spec.subnets ?? []).filter((s) => s.type !== 'DualStack' && s.type !== 'Utility').map((s) => s.name);
      if (ig.spec.subnets.length === 0) ig.spec.subnets = (spec.subnets ?? []).filter((s) => s.type !== 'Utility').map((s) => s.name);
    }
    ig.spec.nodeLabels = { ...ig.spec.nodeLabels, [INSTANCE_GROUP_NODE_LABEL]: ig.metadata.name! };
  }

  const cluster: KopsCluster = { apiVersion: KOPS_API_VERSION, kind: 'Cluster', metadata: { name }, spec };
  return { cluster, instanceGroups, notices };
}

function setupZones(spec: ClusterSpec, cloud: string, name: string, zones: string[], allZones: string[], networkCidrs: string[]): Map<string, ClusterSubnetSpec[]> {
  const byZone = new Map<string, ClusterSubnetSpec[]>();
  const subnets: ClusterSubnetSpec[] = (spec.subnets = []);
  const add = (zone: string, subnet: ClusterSubnetSpec) => {
    const found = subnets.find((s) => s.name === subnet.name);
    const s = found ?? subnet;
    if (!found) subnets.push(s);
    byZone.set(zone, [...(byZone.get(zone) ?? []), s]);
  };
  if (cloud === 'gce' || cloud === 'azure') {
    for (const zone of allZones) {
      const region = cloud === 'gce' ? gceRegion(zone) : zone.replace(/-\d+$/, '');
      add(zone, { name: cloud === 'gce' ? region : name, region });
    }
    return byZone;
  }
  if (cloud === 'digitalocean' || cloud === 'linode') {
    if (zones.length > 1) throw new InvalidConfigError(`${cloud} cloud provider currently supports one region only`);
    add(zones[0]!, { name: zones[0]!, region: zones[0]!, zone: zones[0]! });
    return byZone;
  }
  if (cloud === 'hetzner' && zones.length > 1) throw new InvalidConfigError('hetzner cloud provider currently supports only one zone (location)');
  if (cloud === 'scaleway' && zones.length > 1) throw new InvalidConfigError('scaleway cloud provider currently supports only one availability zone');
  for (const zone of allZones) add(zone, { name: zone, zone });
  networkCidrs.slice(1).forEach((cidr, i) => {
    const zone = zones[i % zones.length]!;
    add(zone, { name: `${zone}-${i + 1}`, zone, cidr });
  });
  return byZone;
}

function setupTopology(spec: ClusterSpec, cloud: string, options: NewClusterOptions): 'public' | 'private' {
  const topology = (options.topology || 'public').toLowerCase();
  spec.topology = {};
  const dns = (options.dns ?? '').toLowerCase();
  const dnsType = dns === '' ? (options.dnsZone ? 'Public' : 'None') : ({ public: 'Public', private: 'Private', none: 'None' } as Record<string, string>)[dns];
  if (!dnsType) throw new InvalidConfigError(`unknown DNSType: ${JSON.stringify(options.dns)}; use public, private or none`);
  spec.topology.dns = { type: dnsType };
  const subnets = spec.subnets ?? [];
  if (topology === 'public') {
    for (const s of subnets) s.type = 'Public';
    return 'public';
  }
  if (topology !== 'private') throw new InvalidConfigError(`invalid topology ${options.topology}; use public or private`);
  if (spec.networking && 'kubenet' in spec.networking) throw new InvalidConfigError('invalid networking option kubenet. Kubenet does not support private topology');
  for (const s of subnets) s.type = 'Private';
  if (cloud !== 'gce') {
    const utility = subnets
      .filter((s) => s.type === 'Private')
      .map((s): ClusterSubnetSpec => ({ name: `utility-${s.name}`, zone: s.zone, type: 'Utility', ...(s.region ? { region: s.region } : {}) }));
    subnets.push(...utility);
  }
  return 'private';
}

function setupControlPlane(spec: ClusterSpec, cloud: string, options: NewClusterOptions, zones: string[], zoneSubnets: Map<string, ClusterSubnetSpec[]>): KopsInstanceGroup[] {
  let count = options.controlPlaneCount ?? 0;
  let cpZones = options.controlPlaneZones ?? [];
  if (cpZones.length > 0) {
    if (count !== 0 && count < cpZones.length) {
      throw new InvalidConfigError(`specified ${cpZones.length} control-plane zones, but also requested ${count} control-plane nodes. If specifying both, the count should match.`);
    }
    if (count === 0) count = cpZones.length;
  } else {
    cpZones = zones;
    if (count === 0) count = 1;
  }
  const groups: KopsInstanceGroup[] = [];
  for (let i = 0; i < count; i++) {
    const zone = cpZones[i % cpZones.length]!;
    let suffix = zone;
    const numbered = cloud === 'digitalocean' ? count >= cpZones.length : count > cpZones.length;
    if (numbered) suffix += `-${1 + Math.floor(i / cpZones.length)}`;
    const subnet = zoneSubnets.get(zone)?.[0];
    if (!subnet) throw new InvalidConfigError(`control-plane zone ${zone} has no subnet; list it in --zones`);
    const ig = instanceGroup(options.name, `control-plane-${suffix}`, 'Master', 1, [subnet.name]);
    if (cloud === 'gce' || cloud === 'azure') ig.spec.zones = [zone];
    applySizes(ig, cloud, options.controlPlaneSizes);
    groups.push(ig);
  }
  const encrypted = cloud === 'aws';
  const etcdNames = [...DEFAULT_ETCD_CLUSTERS, ...(options.networking === 'cilium-etcd' ? ['cilium'] : [])];
  spec.etcdClusters = etcdNames.map((n) => etcdCluster(n, groups, encrypted));
  return groups;
}

function etcdCluster(name: string, controlPlanes: KopsInstanceGroup[], encrypted: boolean): EtcdClusterSpec {
  const memberNames = trimCommonPrefix(controlPlanes.map((g) => g.metadata.name!.replace(/^control-plane-/, '').replace(/^master-/, '')));
  return {
    name,
    cpuRequest: name === 'main' ? '200m' : '100m',
    memoryRequest: '100Mi',
    manager: { backupRetentionDays: 90 },
    etcdMembers: controlPlanes.map((g, i) => ({ name: memberNames[i]!, instanceGroup: g.metadata.name!, ...(encrypted ? { encryptedVolume: true } : {}) })),
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

function setupNodes(cloud: string, options: NewClusterOptions, zones: string[], zoneSubnets: Map<string, ClusterSubnetSpec[]>): KopsInstanceGroup[] {
  const total = options.nodeCount && options.nodeCount > 0 ? options.nodeCount : zones.length;
  const perGroup = Math.floor(total / zones.length);
  const remainder = total % zones.length;
  return zones.map((zone, i) => {
    const count = perGroup + (i < remainder ? 1 : 0);
    const subnets = zoneSubnets.get(zone) ?? [];
    if (subnets.length === 0) throw new InvalidConfigError(`zone ${zone} has no subnet`);
    const ig = instanceGroup(options.name, `nodes-${zone}`, 'Node', count, (subnets.length === 1 ? subnets : subnets.slice(1)).map((s) => s.name));
    if (cloud === 'gce' || cloud === 'azure') ig.spec.zones = [zone];
    applySizes(ig, cloud, options.nodeSizes);
    return ig;
  });
}

function applySizes(ig: KopsInstanceGroup, cloud: string, sizes: string[] | undefined): void {
  if (!sizes || sizes.length === 0) return;
  ig.spec.machineType = sizes[0];
  if (cloud === 'aws' && sizes.length > 1) ig.spec.mixedInstancesPolicy = { instances: [...sizes] };
}

function instanceGroup(cluster: string, name: string, role: 'Master' | 'Node', size: number, subnets: string[]): KopsInstanceGroup {
  return {
    apiVersion: KOPS_API_VERSION,
    kind: 'InstanceGroup',
    metadata: { name, labels: { [CLUSTER_LABEL]: cluster } },
    spec: { role, minSize: size, maxSize: size, subnets },
  };
}

function setupApi(spec: ClusterSpec, cloud: string, topology: 'public' | 'private'): void {
  const usesNoneDns = spec.topology?.dns?.type === 'None';
  const api: NonNullable<ClusterSpec['api']> = { ...spec.api };
  if (topology === 'private' || usesNoneDns) api.loadBalancer = { type: 'Public', ...(cloud === 'aws' ? { class: 'Network' } : {}) };
  else api.dns = {};
  spec.api = api;
}
