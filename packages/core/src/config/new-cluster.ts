/**
 * The Cluster and InstanceGroups `kops create cluster` builds from its flags (upup/pkg/fi/cloudup/
 * new_cluster.go: NewCluster), in v1alpha2 form and before the create-only options, `--set` and
 * `PerformAssignments` (see build-cluster.ts). This file holds the options, the cloud-specific part
 * (the cloud switch and setupVPC) and the order of the steps; the network and instance-group steps live
 * in new-cluster-network.ts and new-cluster-groups.ts. Nothing here talks to a cloud: where kops asks
 * one, Statestore uses the facts in kops-defaults.ts or asks for a flag.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { isFeatureEnabled, featureFlagHint } from './feature-flags.js';
import {
  DEFAULT_ADMIN_ACCESS,
  DEFAULT_CHANNEL,
  DEFAULT_KUBERNETES_VERSION,
  DEFAULT_NETWORKING,
  KOPS_CLOUDS,
  cloudPicksMachineType,
  defaultImage,
  defaultMachineType,
  guessCloudForPath,
  guessCloudForZones,
  machineArchitecture,
  parseKubernetesVersion,
  type MachineRole,
} from './kops-defaults.js';
import { INSTANCE_GROUP_NODE_LABEL, KOPS_API_VERSION, type ClusterSpec, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';
import { setupApiServers, setupControlPlane, setupKarpenterNodes, setupNodes } from './new-cluster-groups.js';
import { applyNetworking, setupApi, setupTopology, setupZones } from './new-cluster-network.js';
import { joinStorePath } from './store-layout.js';

/** OpenStack options (`--os-*`). */
export interface OpenstackOptions {
  /** `--os-ext-net`: external network of the router (and floating network of the API load balancer). */
  externalNet?: string;
  /** `--os-ext-subnet`. */
  externalSubnet?: string;
  /** `--os-lb-floating-subnet`. */
  lbSubnet?: string;
  /** `--os-kubelet-ignore-az`. */
  storageIgnoreAz?: boolean;
  /** `--os-octavia`. */
  lbOctavia?: boolean;
  /** `--os-octavia-provider`. */
  octaviaProvider?: string;
  /** `--os-dns-servers` (comma-separated, kept as one string as kops does). */
  dnsServers?: string;
}

/** Azure options (`--azure-*`, behind kops's Azure feature flag). */
export interface AzureOptions {
  subscriptionId?: string;
  tenantId?: string;
  resourceGroupName?: string;
  routeTableName?: string;
  /** Default `kops`. */
  adminUser?: string;
}

/** The `create cluster` flags that shape NewCluster, named as kops names them. */
export interface NewClusterOptions {
  /** Cluster name (a DNS-1123 subdomain; with a dot unless DNS is none). */
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
  /** `--api-server-count` (kops's APIServerNodes feature flag): API-server groups, divided over the zones. */
  apiServerCount?: number;
  /** `--api-server-size` (one machine type). */
  apiServerSizes?: string[];
  /** `--bastion-size`, a Statestore extension: the bastion's machine type (kops asks the cloud). */
  bastionSize?: string;
  /** `--kubernetes-version`; defaults to the stable channel's recommendation. */
  kubernetesVersion?: string;
  /** `--kubernetes-feature-gates`: `Name`, `+Name` (enable) or `-Name` (disable), set on every component. */
  kubernetesFeatureGates?: string[];
  /** `--networking` (default cilium). */
  networking?: string;
  /** `--topology public|private` (default public, private with IPv6). */
  topology?: string;
  /** `--image` for every instance group without its own. */
  image?: string;
  /** `--control-plane-image`, `--node-image`, `--bastion-image`: take precedence over `--image`. */
  controlPlaneImage?: string;
  nodeImage?: string;
  bastionImage?: string;
  /** `--network-cidr`, repeatable: the first is the VPC CIDR, the rest additional CIDRs with their own subnets. */
  networkCidrs?: string[];
  /** `--network-id` (`--vpc`, `--os-network`): a shared network. */
  networkId?: string;
  /** `--subnets`: shared subnets, `ZONE=ID` (or a plain ID with one zone). */
  subnetIds?: string[];
  /** `--utility-subnets`: shared utility subnets, same form. */
  utilitySubnetIds?: string[];
  /** `--egress`: how private subnets reach out (nat-…, eipalloc-…, i-…, tgw-…, External). */
  egress?: string;
  /** `--ipv6`: IPv6 pod network (AWS). */
  ipv6?: boolean;
  /** `--bastion`: a bastion group (private topology only). */
  bastion?: boolean;
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
  /** `--etcd-clusters` (default main, events). */
  etcdClusters?: string[];
  /** `--encrypt-etcd-storage` (default: true on AWS). */
  encryptEtcdStorage?: boolean;
  /** `--etcd-storage-type`. */
  etcdStorageType?: string;
  /** `--instance-manager cloudgroups|karpenter` (default cloudgroups). */
  instanceManager?: string;
  /** `--discovery-store`: where OIDC discovery documents are published (`{store}/{name}`). */
  discoveryStore?: string;
  /** `--api-loadbalancer-type public|internal`. */
  apiLoadBalancerType?: string;
  /** `--api-ssl-certificate` (AWS). */
  apiSslCertificate?: string;
  /** `--project` (GCE). */
  project?: string;
  /** `--gce-service-account`. */
  gceServiceAccount?: string;
  openstack?: OpenstackOptions;
  azure?: AzureOptions;
  /** `--spotinst-product`, `--spotinst-orientation` (Spotinst feature flag). */
  spotinst?: { product?: string; orientation?: string };
  /** Environment consulted when guessing the cloud (HCLOUD_TOKEN, LINODE_TOKEN) and for KOPS_FEATURE_FLAGS. */
  env?: NodeJS.ProcessEnv;
}

export interface NewClusterResult {
  cluster: KopsCluster;
  /** Control planes, API servers, nodes, bastions: kops's order. */
  instanceGroups: KopsInstanceGroup[];
  /** Things the caller should tell the user (e.g. how the cloud was chosen). */
  notices: string[];
}

/** Builds the Cluster and InstanceGroups for `create cluster`. */
export function newCluster(options: NewClusterOptions): NewClusterResult {
  const name = options.name;
  if (!name) throw new InvalidConfigError('The cluster name is required (e.g. create cluster demo.example.com)');
  const env = options.env ?? process.env;
  const kubernetesVersion = options.kubernetesVersion || DEFAULT_KUBERNETES_VERSION;
  parseKubernetesVersion(kubernetesVersion);
  const spec: ClusterSpec = { channel: options.channel || DEFAULT_CHANNEL, kubernetesVersion, configBase: options.configBase };

  const authorization = options.authorization ?? 'RBAC';
  if (/^alwaysallow$/i.test(authorization)) spec.authorization = { alwaysAllow: {} };
  else if (authorization === '' || /^rbac$/i.test(authorization)) spec.authorization = { rbac: {} };
  else throw new InvalidConfigError(`unknown authorization mode ${JSON.stringify(authorization)}; use RBAC or AlwaysAllow`);

  const iam: Record<string, unknown> = { allowContainerRegistry: true, legacy: false };
  spec.iam = iam;
  spec.kubelet = { anonymousAuth: false };
  setupFeatureGates(spec, options.kubernetesFeatureGates ?? []);
  const adminAccess = options.adminAccess && options.adminAccess.length > 0 ? options.adminAccess : [...DEFAULT_ADMIN_ACCESS];
  spec.kubernetesApiAccess = adminAccess;
  spec.sshAccess = options.sshAccess && options.sshAccess.length > 0 ? options.sshAccess : [...adminAccess];

  if (!options.zones || options.zones.length === 0) throw new InvalidConfigError('must specify at least one zone for the cluster (use --zones)');
  const allZones = [...new Set([...options.zones, ...(options.controlPlaneZones ?? [])])].sort();

  const notices: string[] = [];
  const cloud = chooseCloud(options, allZones, env, notices);
  spec.cloudProvider = cloud;
  setupCloud(spec, cloud, options, env);
  if (options.discoveryStore) {
    spec.serviceAccountIssuerDiscovery = { discoveryStore: joinStorePath(options.discoveryStore, name) };
    if (cloud === 'aws') {
      spec.serviceAccountIssuerDiscovery.enableAWSOIDCProvider = true;
      iam.useServiceAccountExternalPermissions = true;
    }
  }

  const zoneSubnets = setupZones(spec, cloud, options, allZones);
  applyNetworking(spec, options.networking || DEFAULT_NETWORKING);
  const { topology, bastions } = setupTopology(spec, cloud, options, allZones);
  const controlPlanes = setupControlPlane(spec, cloud, options, zoneSubnets, topology, notices);
  let nodes: KopsInstanceGroup[];
  switch (options.instanceManager || 'cloudgroups') {
    case 'karpenter':
      if (!options.discoveryStore) throw new InvalidConfigError('karpenter requires --discovery-store');
      spec.karpenter = { enabled: true };
      nodes = setupKarpenterNodes(options);
      break;
    case 'cloudgroups':
      nodes = setupNodes(cloud, options, zoneSubnets, cloud === 'aws' && (options.subnetIds ?? []).length === 0 && isFeatureEnabled(env, 'AWSSingleNodesInstanceGroup'));
      break;
    default:
      throw new InvalidConfigError(`invalid value ${JSON.stringify(options.instanceManager)} for --instance-manager; use cloudgroups or karpenter`);
  }
  const apiServers = setupApiServers(cloud, options, zoneSubnets);
  setupApi(spec, cloud, topology, options);

  const cluster: KopsCluster = { apiVersion: KOPS_API_VERSION, kind: 'Cluster', metadata: { name }, spec };
  const instanceGroups = [...controlPlanes, ...apiServers, ...nodes, ...bastions];
  for (const ig of instanceGroups) completeGroup(ig, cluster, options, env);
  return { cluster, instanceGroups, notices };
}

/** `--kubernetes-feature-gates`: the same map on the kubelet, API server, controller manager, proxy and scheduler. */
function setupFeatureGates(spec: ClusterSpec, gates: readonly string[]): void {
  if (gates.length === 0) return;
  const featureGates: Record<string, string> = {};
  for (const raw of gates) {
    let gate = raw.trim();
    if (gate === '') throw new InvalidConfigError('kubernetes feature gate must not be empty');
    let enabled = true;
    if (gate[0] === '+' || gate[0] === '-') {
      enabled = gate[0] === '+';
      gate = gate.slice(1).trim();
    }
    if (gate === '') throw new InvalidConfigError('kubernetes feature gate must include a feature name');
    featureGates[gate] = String(enabled);
  }
  spec.kubelet = { ...(spec.kubelet as object), featureGates: { ...featureGates } };
  for (const component of ['kubeAPIServer', 'kubeControllerManager', 'kubeProxy', 'kubeScheduler'] as const) spec[component] = { featureGates: { ...featureGates } };
}

function chooseCloud(options: NewClusterOptions, allZones: readonly string[], env: NodeJS.ProcessEnv, notices: string[]): string {
  let cloud: string | undefined = options.cloud || guessCloudForPath(options.configBase, env);
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
  return cloud;
}

/** The cloud switch of NewCluster (initializeOpenstack included) and setupVPC. */
function setupCloud(spec: ClusterSpec, cloud: string, options: NewClusterOptions, env: NodeJS.ProcessEnv): void {
  if (options.networkId) spec.networkID = options.networkId;
  const sharedSubnet = (options.subnetIds ?? [])[0];
  switch (cloud) {
    case 'aws':
      if (!options.networkId && sharedSubnet) {
        throw new InvalidConfigError(`--network-id is required with --subnets: Statestore cannot ask AWS which VPC subnet ${sharedSubnet} is in (kops does); pass --network-id vpc-…`);
      }
      if (options.spotinst?.product || options.spotinst?.orientation) {
        spec.cloudConfig = {
          ...(spec.cloudConfig as object),
          ...(options.spotinst.product ? { spotinstProduct: options.spotinst.product } : {}),
          ...(options.spotinst.orientation ? { spotinstOrientation: options.spotinst.orientation } : {}),
        };
      }
      break;
    case 'gce':
      if (!options.project) throw new InvalidConfigError('project is required for GCE: pass --project (kops asks `gcloud config get-value project`; Statestore does not run gcloud)');
      spec.project = options.project;
      spec.cloudConfig = options.gceServiceAccount ? { gceServiceAccount: options.gceServiceAccount } : {};
      break;
    case 'azure': {
      const azure = options.azure ?? {};
      spec.cloudConfig = {
        azure: {
          adminUser: azure.adminUser || 'kops',
          ...((azure.subscriptionId || env.AZURE_SUBSCRIPTION_ID) ? { subscriptionId: azure.subscriptionId || env.AZURE_SUBSCRIPTION_ID } : {}),
          tenantId: azure.tenantId ?? '',
          ...(azure.resourceGroupName ? { resourceGroupName: azure.resourceGroupName } : {}),
          ...(azure.routeTableName ? { routeTableName: azure.routeTableName } : {}),
        },
      };
      break;
    }
    case 'openstack':
      setupOpenstack(spec, options);
      if (!options.networkId && sharedSubnet) {
        throw new InvalidConfigError(`--os-network is required with --subnets: Statestore cannot ask OpenStack which network subnet ${sharedSubnet} is in (kops does)`);
      }
      break;
  }
}

/** The OpenStack cloud config kops starts a cluster with (new_cluster.go, initializeOpenstack). */
function setupOpenstack(spec: ClusterSpec, options: NewClusterOptions): void {
  const os = options.openstack ?? {};
  const router: Record<string, unknown> = { externalNetwork: os.externalNet ?? '' };
  if (os.dnsServers) router.dnsServers = os.dnsServers;
  if (os.externalSubnet) router.externalSubnet = os.externalSubnet;
  const openstack: Record<string, unknown> = {
    blockStorage: { 'bs-version': 'v3', clusterName: options.name, 'ignore-volume-az': os.storageIgnoreAz ?? false },
    monitor: { delay: '15s', maxRetries: 3, timeout: '10s' },
    router,
  };
  if (options.apiLoadBalancerType) {
    spec.api = { ...spec.api, loadBalancer: {} };
    const provider = os.lbOctavia ? os.octaviaProvider || 'octavia' : 'haproxy';
    openstack.loadbalancer = {
      floatingNetwork: os.externalNet ?? '',
      method: provider === 'ovn' ? 'SOURCE_IP_PORT' : 'ROUND_ROBIN',
      provider,
      useOctavia: os.lbOctavia ?? false,
      ...(os.lbSubnet ? { floatingSubnet: os.lbSubnet } : {}),
    };
  }
  spec.cloudConfig = { openstack };
  spec.cloudControllerManager = { clusterName: options.name };
}

/** NewCluster's last loop: image, machine type and subnets where still unset, and the instance-group node label. */
function completeGroup(ig: KopsInstanceGroup, cluster: KopsCluster, options: NewClusterOptions, env: NodeJS.ProcessEnv): void {
  const spec = cluster.spec;
  const cloud = spec.cloudProvider!;
  const role = ig.spec.role;
  if (!ig.spec.image) ig.spec.image = options.image || defaultImage(cloud, spec.kubernetesVersion!, machineArchitecture(cloud, ig.spec.machineType));
  if (role === 'APIServer' && !isFeatureEnabled(env, 'APIServerNodes')) {
    throw new InvalidConfigError(`apiserver nodes requires the APIServerNodes feature flag to be enabled: ${featureFlagHint('APIServerNodes')}`);
  }
  if (role === 'Bastion' && options.bastionSize) ig.spec.machineType = options.bastionSize;
  if (!ig.spec.machineType && ig.spec.manager !== 'Karpenter') {
    const machineRole: MachineRole = role === 'Master' ? 'control-plane' : role === 'Bastion' ? 'bastion' : role === 'APIServer' ? 'apiserver' : 'node';
    const type = defaultMachineType(cloud, machineRole);
    if (type) ig.spec.machineType = type;
    else if (cloudPicksMachineType(cloud)) {
      const flag = { 'control-plane': '--control-plane-size', apiserver: '--api-server-size', node: '--node-size', bastion: '--bastion-size' }[machineRole];
      throw new InvalidConfigError(`No default machine type for ${machineRole} instance groups on ${cloud}: kops asks the cloud for one; pass ${flag}`);
    }
  }
  const subnets = spec.subnets ?? [];
  if (role === 'Master') {
    if (!ig.spec.subnets?.length) throw new InvalidConfigError(`control-plane InstanceGroup ${ig.metadata.name} did not specify any Subnets`);
  } else if (role === 'APIServer' && spec.nonMasqueradeCIDR === '::/0') {
    if (!ig.spec.subnets?.length) ig.spec.subnets = subnets.filter((s) => s.type !== 'Private' && s.type !== 'Utility').map((s) => s.name);
  } else if (!ig.spec.subnets?.length) {
    ig.spec.subnets = subnets.filter((s) => s.type !== 'DualStack' && s.type !== 'Utility').map((s) => s.name);
    if (ig.spec.subnets.length === 0) ig.spec.subnets = subnets.filter((s) => s.type !== 'Utility').map((s) => s.name);
  }
  if (!ig.spec.subnets?.length) throw new InvalidConfigError(`unable to infer any Subnets for InstanceGroup ${ig.metadata.name}`);
  ig.spec.nodeLabels = { ...ig.spec.nodeLabels, [INSTANCE_GROUP_NODE_LABEL]: ig.metadata.name! };
}
