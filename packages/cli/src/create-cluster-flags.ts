/**
 * kops's `create cluster` flags (cmd/kops/create_cluster.go), as Statestore takes them, and their mapping
 * onto core's BuildClusterOptions. Flags kops defines only behind a feature flag are refused unless
 * KOPS_FEATURE_FLAGS enables it, as kops refuses them; flags that act on a cloud are refused with the
 * reason. Deprecated kops spellings (--master-*, --vpc, --override) are accepted as aliases.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { isFeatureEnabled, parseSshPublicKey, splitSetFlag, splitUnsetFlag, type BuildClusterOptions, type KopsFeatureFlag, type SshPublicKey } from '@statestore/core/config';
import { boolOption, intOption, listOption, optionalBoolOption, repeatedOption, stringOption, type OptionSpec, type ParsedArgs } from './command.js';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';

const list = (valueName: string, description: string, aliases?: string[]): OptionSpec => ({ type: 'string', multiple: true, valueName, description, ...(aliases ? { aliases } : {}) });
const text = (valueName: string, description: string, aliases?: string[]): OptionSpec => ({ type: 'string', valueName, description, ...(aliases ? { aliases } : {}) });
const flag = (description: string): OptionSpec => ({ type: 'boolean', description });

/** Every `create cluster` option, by kops's flag name. */
export const CREATE_CLUSTER_OPTIONS: Record<string, OptionSpec> = {
  cloud: text('CLOUD', 'aws, gce, openstack, digitalocean, hetzner, azure, scaleway, linode (default: from the store scheme)'),
  zones: list('ZONES', 'Zones for subnets, nodes and (by default) the control plane; comma-separated'),
  'control-plane-zones': list('ZONES', 'Zones for the control plane (an odd number)', ['master-zones']),
  'control-plane-count': text('N', 'Number of control-plane instance groups', ['master-count']),
  'control-plane-size': list('TYPES', 'Control-plane machine type(s)', ['master-size']),
  'control-plane-image': text('IMAGE', 'Control-plane image (over --image)', ['master-image']),
  'control-plane-volume-size': text('GB', 'Control-plane root volume size', ['master-volume-size']),
  'control-plane-volume-type': text('TYPE', 'Control-plane root volume type'),
  'control-plane-security-groups': list('IDS', 'Extra security groups for the control plane', ['master-security-groups']),
  'control-plane-tenancy': text('TENANCY', 'Control-plane tenancy (AWS: default, dedicated)', ['master-tenancy']),
  'node-count': text('N', 'Total number of nodes, divided over the zones'),
  'node-size': list('TYPES', 'Node machine type(s)'),
  'node-image': text('IMAGE', 'Node image (over --image)'),
  'node-volume-size': text('GB', 'Node root volume size'),
  'node-volume-type': text('TYPE', 'Node root volume type (e.g. gp3)'),
  'node-security-groups': list('IDS', 'Extra security groups for the nodes'),
  'node-tenancy': text('TENANCY', 'Node tenancy (AWS: default, dedicated)'),
  'api-server-count': text('N', 'API-server instance groups (KOPS_FEATURE_FLAGS=+APIServerNodes)'),
  'api-server-size': list('TYPE', 'API-server machine type (KOPS_FEATURE_FLAGS=+APIServerNodes)'),
  'etcd-count': text('N', 'Accepted with +ExperimentalRoles; no effect, as in kops 1.37'),
  'etcd-size': list('TYPES', 'Accepted with +ExperimentalRoles; no effect, as in kops 1.37'),
  'scheduler-count': text('N', 'Accepted with +ExperimentalRoles; no effect, as in kops 1.37'),
  'scheduler-size': list('TYPES', 'Accepted with +ExperimentalRoles; no effect, as in kops 1.37'),
  'kcm-count': text('N', 'Accepted with +ExperimentalRoles; no effect, as in kops 1.37'),
  'kcm-size': list('TYPES', 'Accepted with +ExperimentalRoles; no effect, as in kops 1.37'),
  bastion: flag('Add a bastion instance group (private topology only)'),
  'bastion-image': text('IMAGE', 'Bastion image (over --image)'),
  'bastion-size': text('TYPE', 'Bastion machine type (a Statestore extension: kops asks the cloud)'),
  image: text('IMAGE', 'Machine image for every instance group'),
  'kubernetes-version': text('VERSION', "Kubernetes version (default: the stable channel's)"),
  'kubernetes-feature-gates': list('GATES', 'Feature gates: Name or +Name enables, -Name disables'),
  networking: text('PLUGIN', 'cilium (default), calico, cni, kubenet, flannel, kube-router, amazonvpc, cilium-eni, cilium-etcd, kindnet, gcp, …'),
  topology: { type: 'string', short: 't', valueName: 'public|private', description: 'Network topology (default public; private with --ipv6)' },
  ipv6: flag('IPv6 pod network (AWS)'),
  'network-cidr': list('CIDR', 'Network CIDR; more than one adds CIDRs with their own subnets'),
  'network-id': text('ID', 'Shared network (VPC) to use', ['vpc']),
  subnets: list('IDS', 'Shared subnets: ZONE=ID (a plain ID with one zone)'),
  'utility-subnets': list('IDS', 'Shared utility subnets: ZONE=ID (a plain ID with one zone)'),
  'disable-subnet-tags': flag('Do not tag subnets'),
  egress: text('ID', 'Egress of private subnets: nat-…, eipalloc-…, i-…, tgw-… or External'),
  'admin-access': list('CIDRS', 'CIDRs allowed to reach the Kubernetes API (default 0.0.0.0/0,::/0)'),
  'ssh-access': list('CIDRS', 'CIDRs allowed to SSH (default: the admin access)'),
  'ssh-public-key': text('FILE', 'Admin SSH public key, stored at {configBase}/pki/ssh/public/admin/'),
  'associate-public-ip': flag('Public IPs for the groups (--associate-public-ip=false to turn off)'),
  'cloud-labels': text('LABELS', 'Tags for every instance group, e.g. "Owner=John Doe,Team=Some Team"'),
  channel: text('CHANNEL', 'Channel (default stable)'),
  authorization: text('RBAC|AlwaysAllow', 'Authorization mode (default RBAC)'),
  dns: text('public|private|none', 'DNS type (default none; public with --dns-zone)'),
  'dns-zone': text('ZONE', 'DNS hosted zone'),
  'api-loadbalancer-type': text('public|internal', 'Load balancer for the Kubernetes API'),
  'api-ssl-certificate': text('ARN', 'Certificate for the API load balancer (AWS)'),
  'api-public-name': text('NAME', 'Public DNS name of the Kubernetes API', ['master-public-name']),
  'etcd-clusters': list('NAMES', 'etcd clusters (default main,events)'),
  'encrypt-etcd-storage': flag('Encrypt etcd volumes (default on AWS; --encrypt-etcd-storage=false to turn off)'),
  'etcd-storage-type': text('TYPE', 'Volume type of the etcd members'),
  'instance-manager': text('cloudgroups|karpenter', 'Instance manager (default cloudgroups)'),
  'discovery-store': text('URL', 'Where to publish OIDC discovery documents (s3://…); enables IRSA on AWS'),
  'container-runtime': text('RUNTIME', 'Deprecated in kops: containerd is the only value'),
  project: text('PROJECT', 'GCE project (required on GCE)'),
  'gce-service-account': text('EMAIL', 'Service account of the GCE VMs'),
  'os-ext-net': text('NAME', 'OpenStack external network of the router'),
  'os-ext-subnet': text('NAME', 'OpenStack external floating subnet of the router'),
  'os-lb-floating-subnet': text('NAME', 'OpenStack subnet of the API load balancer'),
  'os-kubelet-ignore-az': flag('OpenStack: attach volumes across availability zones'),
  'os-octavia': flag('OpenStack: use the Octavia load balancer API'),
  'os-octavia-provider': text('PROVIDER', 'OpenStack Octavia provider'),
  'os-dns-servers': text('IPS', 'OpenStack DNS servers of the network'),
  'os-network': text('ID', 'Existing OpenStack network'),
  'azure-subscription-id': text('ID', 'Azure subscription (KOPS_FEATURE_FLAGS=+Azure)'),
  'azure-tenant-id': text('ID', 'Azure tenant (+Azure)'),
  'azure-resource-group-name': text('NAME', 'Azure resource group (+Azure)'),
  'azure-route-table-name': text('NAME', 'Azure route table (+Azure)'),
  'azure-admin-user': text('USER', 'Admin user of the VMs (+Azure; default kops)'),
  'spotinst-product': text('PRODUCT', 'Spotinst product (+Spotinst)'),
  'spotinst-orientation': text('ORIENTATION', 'Spotinst orientation (+Spotinst)'),
  'config-base': text('URL', 'configBase separate from the store (+EnableSeparateConfigBase)'),
  set: { type: 'string', multiple: true, aliases: ['override'], valueName: 'PATH=VALUE', description: 'Set a cluster field (kops field path; unquoted commas separate assignments)' },
  unset: list('PATH', 'Unset a cluster field'),
  'dry-run': flag('Print the objects (with -o) instead of writing them'),
  yes: flag('Refused: Statestore writes the configuration only; run kops update cluster --yes to build it'),
  target: text('TARGET', 'Refused: direct and terraform targets act on a cloud (kops)'),
  out: text('DIR', 'Refused: output of the terraform target (kops)'),
  'discovery-service': text('URL', 'Refused: needs a discovery CA created in the key store (kops)'),
  add: list('PATHS', 'Refused: cluster addons are loaded by kops'),
};

/** Flags kops defines only when a feature flag is on. */
const GATED: Record<string, KopsFeatureFlag> = {
  'api-server-count': 'APIServerNodes',
  'api-server-size': 'APIServerNodes',
  'etcd-count': 'ExperimentalRoles',
  'etcd-size': 'ExperimentalRoles',
  'scheduler-count': 'ExperimentalRoles',
  'scheduler-size': 'ExperimentalRoles',
  'kcm-count': 'ExperimentalRoles',
  'kcm-size': 'ExperimentalRoles',
  'azure-subscription-id': 'Azure',
  'azure-tenant-id': 'Azure',
  'azure-resource-group-name': 'Azure',
  'azure-route-table-name': 'Azure',
  'azure-admin-user': 'Azure',
  'spotinst-product': 'Spotinst',
  'spotinst-orientation': 'Spotinst',
  'config-base': 'EnableSeparateConfigBase',
};

const REFUSED: Record<string, string> = {
  yes: 'Statestore writes the cluster configuration and never creates cloud resources; create it here, then run `kops update cluster --yes` (or `statestore update cluster --yes`, which runs kops)',
  target: 'targets (direct, terraform) act on a cloud; Statestore only writes configuration — run kops for them',
  out: 'it is the output folder of kops\'s terraform target; Statestore has no targets',
  'discovery-service': 'kops creates a discovery CA in the key store for it; Statestore does not create keys — use --discovery-store, or kops',
  add: 'cluster addons (ClusterAddons feature) are loaded by kops from their paths; add them with kops',
};

/** Options `create cluster` merges into an existing cluster (the others only shape a new one). */
export const MERGEABLE_FLAGS = new Set([
  'cloud', 'zones', 'control-plane-zones', 'control-plane-count', 'topology', 'network-cidr', 'kubernetes-version', 'networking', 'control-plane-size', 'node-size',
  'node-count', 'image', 'admin-access', 'ssh-access', 'channel', 'dns-zone', 'project', 'set', 'unset', 'dry-run',
]);

/** Refuses flags kops would not accept here (feature-flagged ones without their flag) or that act on a cloud. */
export function checkFlags(args: ParsedArgs, env: NodeJS.ProcessEnv): void {
  for (const [name, reason] of Object.entries(REFUSED)) if (args.values[name] !== undefined) throw new UsageError(`--${name} is not supported: ${reason}`);
  for (const [name, feature] of Object.entries(GATED)) {
    if (args.values[name] !== undefined && !isFeatureEnabled(env, feature)) throw new UsageError(`unknown flag: --${name} (kops defines it only with KOPS_FEATURE_FLAGS=+${feature})`);
  }
  const runtime = stringOption(args, 'container-runtime');
  if (runtime !== undefined && runtime !== 'containerd') throw new UsageError(`--container-runtime ${runtime}: containerd is the only supported value`);
}

/** The create-cluster flags given on the command line (by their canonical name). */
export function givenFlags(args: ParsedArgs): string[] {
  return Object.keys(CREATE_CLUSTER_OPTIONS).filter((name) => args.values[name] !== undefined);
}

const positiveInt = (args: ParsedArgs, name: string) => intOption(args, name);

/** The flags as core's BuildClusterOptions (without name, configBase and the SSH key). */
export function buildOptionsFromFlags(ctx: CommandContext): Omit<BuildClusterOptions, 'name' | 'configBase'> {
  const a = ctx.args;
  const project = stringOption(a, 'project');
  if (project === '') throw new UsageError('--project cannot be empty; specify a project or omit the flag');
  return {
    cloud: stringOption(a, 'cloud'),
    zones: listOption(a, 'zones') ?? [],
    controlPlaneZones: listOption(a, 'control-plane-zones'),
    controlPlaneCount: positiveInt(a, 'control-plane-count'),
    controlPlaneSizes: listOption(a, 'control-plane-size'),
    controlPlaneImage: stringOption(a, 'control-plane-image'),
    controlPlaneVolumeSize: positiveInt(a, 'control-plane-volume-size'),
    controlPlaneVolumeType: stringOption(a, 'control-plane-volume-type'),
    controlPlaneSecurityGroups: listOption(a, 'control-plane-security-groups'),
    controlPlaneTenancy: stringOption(a, 'control-plane-tenancy'),
    nodeCount: positiveInt(a, 'node-count'),
    nodeSizes: listOption(a, 'node-size'),
    nodeImage: stringOption(a, 'node-image'),
    nodeVolumeSize: positiveInt(a, 'node-volume-size'),
    nodeVolumeType: stringOption(a, 'node-volume-type'),
    nodeSecurityGroups: listOption(a, 'node-security-groups'),
    nodeTenancy: stringOption(a, 'node-tenancy'),
    apiServerCount: positiveInt(a, 'api-server-count'),
    apiServerSizes: listOption(a, 'api-server-size'),
    bastion: boolOption(a, 'bastion'),
    bastionImage: stringOption(a, 'bastion-image'),
    bastionSize: stringOption(a, 'bastion-size'),
    image: stringOption(a, 'image'),
    kubernetesVersion: stringOption(a, 'kubernetes-version'),
    kubernetesFeatureGates: listOption(a, 'kubernetes-feature-gates'),
    networking: stringOption(a, 'networking'),
    topology: stringOption(a, 'topology'),
    ipv6: boolOption(a, 'ipv6'),
    networkCidrs: listOption(a, 'network-cidr'),
    networkId: stringOption(a, 'os-network') ?? stringOption(a, 'network-id'), // kops: --os-network wins
    subnetIds: listOption(a, 'subnets'),
    utilitySubnetIds: listOption(a, 'utility-subnets'),
    disableSubnetTags: boolOption(a, 'disable-subnet-tags'),
    egress: stringOption(a, 'egress'),
    adminAccess: listOption(a, 'admin-access'),
    sshAccess: listOption(a, 'ssh-access'),
    associatePublicIp: optionalBoolOption(a, 'associate-public-ip'),
    cloudLabels: stringOption(a, 'cloud-labels'),
    channel: stringOption(a, 'channel'),
    authorization: stringOption(a, 'authorization'),
    dns: stringOption(a, 'dns'),
    dnsZone: stringOption(a, 'dns-zone'),
    apiLoadBalancerType: stringOption(a, 'api-loadbalancer-type'),
    apiSslCertificate: stringOption(a, 'api-ssl-certificate'),
    apiPublicName: stringOption(a, 'api-public-name'),
    etcdClusters: listOption(a, 'etcd-clusters'),
    encryptEtcdStorage: optionalBoolOption(a, 'encrypt-etcd-storage'),
    etcdStorageType: stringOption(a, 'etcd-storage-type'),
    instanceManager: stringOption(a, 'instance-manager'),
    discoveryStore: stringOption(a, 'discovery-store'),
    project,
    gceServiceAccount: stringOption(a, 'gce-service-account'),
    openstack: {
      externalNet: stringOption(a, 'os-ext-net'),
      externalSubnet: stringOption(a, 'os-ext-subnet'),
      lbSubnet: stringOption(a, 'os-lb-floating-subnet'),
      storageIgnoreAz: optionalBoolOption(a, 'os-kubelet-ignore-az'),
      lbOctavia: optionalBoolOption(a, 'os-octavia'),
      octaviaProvider: stringOption(a, 'os-octavia-provider'),
      dnsServers: stringOption(a, 'os-dns-servers'),
    },
    azure: {
      subscriptionId: stringOption(a, 'azure-subscription-id'),
      tenantId: stringOption(a, 'azure-tenant-id'),
      resourceGroupName: stringOption(a, 'azure-resource-group-name'),
      routeTableName: stringOption(a, 'azure-route-table-name'),
      adminUser: stringOption(a, 'azure-admin-user'),
    },
    spotinst: { product: stringOption(a, 'spotinst-product'), orientation: stringOption(a, 'spotinst-orientation') },
    sets: repeatedOption(a, 'set').flatMap(splitSetFlag),
    unsets: repeatedOption(a, 'unset').flatMap(splitUnsetFlag),
    env: ctx.env,
  };
}

/**
 * The admin SSH key: `--ssh-public-key FILE` (a leading ~ is the home folder); without it, when the
 * cluster is really created (`autoload`) on a cloud other than AWS and GCE, kops loads
 * ~/.ssh/id_ed25519.pub or else ~/.ssh/id_rsa.pub when one exists.
 */
export async function loadSshPublicKey(ctx: CommandContext, cloud: string | undefined, autoload: boolean): Promise<SshPublicKey | undefined> {
  const home = ctx.env.HOME || homedir();
  const given = stringOption(ctx.args, 'ssh-public-key');
  if (given) {
    const file = given.startsWith('~/') ? path.join(home, given.slice(2)) : path.resolve(ctx.io.cwd, given);
    let body: string;
    try {
      body = await readFile(file, 'utf8');
    } catch (e) {
      throw new UsageError(`error reading SSH key file ${JSON.stringify(given)}: ${(e as Error).message}`);
    }
    return parseSshPublicKey(body, given);
  }
  if (!autoload || cloud === 'aws' || cloud === 'gce') return undefined;
  for (const candidate of ['.ssh/id_ed25519.pub', '.ssh/id_rsa.pub']) {
    const file = path.join(home, candidate);
    const body = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new UsageError(`error reading SSH public key file ~/${candidate}: ${e.message}`);
    });
    if (body !== undefined) return parseSshPublicKey(body, `~/${candidate}`);
  }
  return undefined;
}
