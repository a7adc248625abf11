/**
 * The defaults `kops create cluster` takes from its "stable" channel and its per-cloud constants, as of
 * kops 1.37 (kubernetes/kops 268927e2, channels/stable and upup/pkg/fi/cloudup). kops reads the channel
 * over the network and asks the cloud which machine types a zone offers; Statestore never calls a cloud,
 * so it uses these facts. Pass `--image`, `--node-size`, `--control-plane-size` to choose otherwise.
 */
import { InvalidConfigError } from '../errors/errors.js';

/** Clouds kops knows, by their v1alpha2 `cloudProvider` spelling. */
export const KOPS_CLOUDS = ['aws', 'gce', 'azure', 'digitalocean', 'hetzner', 'openstack', 'scaleway', 'linode'] as const;
export type KopsCloud = (typeof KOPS_CLOUDS)[number];

export const DEFAULT_CHANNEL = 'stable';
/** The stable channel's Kubernetes version for kops 1.37 (`kopsVersions` range >=1.36.0-alpha.1). */
export const DEFAULT_KUBERNETES_VERSION = '1.36.3';
export const DEFAULT_AWS_NETWORK_CIDR = '172.20.0.0/16';
export const DEFAULT_AZURE_NETWORK_CIDR = '10.0.0.0/16';
export const DEFAULT_NON_MASQUERADE_CIDR = '100.64.0.0/10';
export const DEFAULT_ADMIN_ACCESS: readonly string[] = ['0.0.0.0/0', '::/0'];
export const DEFAULT_ETCD_CLUSTERS: readonly string[] = ['main', 'events'];
export const DEFAULT_NETWORKING = 'cilium';

interface ChannelImage {
  cloud: KopsCloud;
  arch: 'amd64' | 'arm64';
  /** Inclusive lower bound and exclusive upper bound on the Kubernetes minor version (1.x). */
  minMinor: number;
  maxMinor?: number;
  name: string;
}

/** Image rows of the stable channel for Kubernetes 1.18 and later. */
const CHANNEL_IMAGES: readonly ChannelImage[] = [
  { cloud: 'aws', arch: 'amd64', minMinor: 18, maxMinor: 27, name: '099720109477/ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20250624' },
  { cloud: 'aws', arch: 'arm64', minMinor: 20, maxMinor: 27, name: '099720109477/ubuntu/images/hvm-ssd/ubuntu-focal-20.04-arm64-server-20250624' },
  { cloud: 'aws', arch: 'amd64', minMinor: 27, maxMinor: 32, name: '099720109477/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20260714' },
  { cloud: 'aws', arch: 'arm64', minMinor: 27, maxMinor: 32, name: '099720109477/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20260714' },
  { cloud: 'aws', arch: 'amd64', minMinor: 32, name: '099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260714' },
  { cloud: 'aws', arch: 'arm64', minMinor: 32, name: '099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20260714' },
  { cloud: 'gce', arch: 'amd64', minMinor: 18, maxMinor: 27, name: 'ubuntu-os-cloud/ubuntu-2004-focal-v20240607' },
  { cloud: 'gce', arch: 'amd64', minMinor: 27, maxMinor: 32, name: 'ubuntu-os-cloud/ubuntu-2204-jammy-v20260612' },
  { cloud: 'gce', arch: 'amd64', minMinor: 32, name: 'ubuntu-os-cloud/ubuntu-2404-noble-amd64-v20260615' },
  { cloud: 'gce', arch: 'arm64', minMinor: 32, name: 'ubuntu-os-cloud/ubuntu-2404-noble-arm64-v20260615' },
  { cloud: 'azure', arch: 'amd64', minMinor: 20, maxMinor: 27, name: 'Canonical:0001-com-ubuntu-server-focal:20_04-lts-gen2:20.04.202505200' },
  { cloud: 'azure', arch: 'amd64', minMinor: 27, maxMinor: 32, name: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:22.04.202606110' },
  { cloud: 'azure', arch: 'amd64', minMinor: 32, name: 'Canonical:ubuntu-24_04-lts:server:24.04.202606060' },
  { cloud: 'azure', arch: 'arm64', minMinor: 32, name: 'Canonical:ubuntu-24_04-lts:server-arm64:24.04.202606060' },
];

/** Images kops uses when the channel has none for the cloud. */
const FALLBACK_IMAGES: Partial<Record<KopsCloud, string>> = {
  digitalocean: 'ubuntu-24-04-x64',
  hetzner: 'ubuntu-24.04',
  scaleway: 'ubuntu_noble',
  linode: 'linode/ubuntu24.04',
};

/** A parsed Kubernetes version (semver, tolerant of a leading `v` and missing parts, as kops parses it). */
export interface KubernetesVersion {
  major: number;
  minor: number;
  patch: number;
}

export function parseKubernetesVersion(text: string): KubernetesVersion {
  const m = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?\s*$/.exec(text);
  if (m) return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0) };
  const url = /\/v1\.(\d+)\./.exec(text);
  if (url) return { major: 1, minor: Number(url[1]), patch: 0 };
  throw new InvalidConfigError(`Cannot parse Kubernetes version ${JSON.stringify(text)}: expected e.g. 1.36.3 or v1.35.0`);
}

/**
 * The architecture of an AWS machine type without asking AWS: Graviton families carry a `g` after the
 * generation digit (t4g, m6g, c7gn, r8gd…). kops asks EC2; other clouds are amd64 in kops too.
 */
export function machineArchitecture(cloud: string, machineType: string | undefined): 'amd64' | 'arm64' {
  if (cloud !== 'aws' || !machineType) return 'amd64';
  return /^[a-z]+\d+g[a-z]*\./.test(machineType) ? 'arm64' : 'amd64';
}

/** The image kops picks for a new instance group, or InvalidConfigError when it would need the cloud. */
export function defaultImage(cloud: string, kubernetesVersion: string, arch: 'amd64' | 'arm64'): string {
  const { major, minor } = parseKubernetesVersion(kubernetesVersion);
  const row = CHANNEL_IMAGES.find((i) => i.cloud === cloud && i.arch === arch && major === 1 && minor >= i.minMinor && (i.maxMinor === undefined || minor < i.maxMinor));
  if (row) return row.name;
  const fallback = FALLBACK_IMAGES[cloud as KopsCloud];
  if (fallback) return fallback;
  throw new InvalidConfigError(
    `No default image for cloud ${JSON.stringify(cloud)}, architecture ${arch} and Kubernetes ${kubernetesVersion} in the stable channel; pass --image`,
  );
}

/** Roles a default machine type is asked for; `apiserver` is kops's APIServer (a control-plane type on AWS). */
export type MachineRole = 'control-plane' | 'apiserver' | 'node' | 'bastion';

const MACHINE_TYPES: Partial<Record<KopsCloud, Partial<Record<MachineRole, string>>>> = {
  // kops asks EC2 for the first of t3.medium, c5.large, c4.large offered in every zone of the group;
  // t3.medium is offered in every commercial region.
  aws: { 'control-plane': 't3.medium', apiserver: 't3.medium', node: 't3.medium', bastion: 't3.micro' },
  gce: { 'control-plane': 'e2-medium', node: 'e2-medium', bastion: 'e2-micro' },
  digitalocean: { 'control-plane': 's-2vcpu-4gb-amd', node: 's-2vcpu-4gb-amd' },
  azure: { 'control-plane': 'Standard_B2s', node: 'Standard_B2s', bastion: 'Standard_B2s' },
  hetzner: { 'control-plane': 'cx23', node: 'cx23', bastion: 'cx23' },
  scaleway: { 'control-plane': 'DEV1-M', node: 'DEV1-M' },
  linode: { 'control-plane': 'g6-standard-2', node: 'g6-standard-2', bastion: 'g6-standard-1' },
};

/**
 * The machine type kops picks for a role; undefined where kops has none (it then leaves the field
 * empty, e.g. APIServer groups outside AWS) or asks the cloud (OpenStack: see `cloudPicksMachineType`).
 */
export function defaultMachineType(cloud: string, role: MachineRole, arch: 'amd64' | 'arm64' = 'amd64'): string | undefined {
  const type = MACHINE_TYPES[cloud as KopsCloud]?.[role];
  if (cloud === 'aws' && arch === 'arm64') return role === 'bastion' ? 't4g.micro' : 't4g.medium';
  return type;
}

/** Clouds where kops asks the cloud for a default machine type Statestore cannot know. */
export function cloudPicksMachineType(cloud: string): boolean {
  return cloud === 'openstack';
}

/**
 * The cloud kops infers from where the configuration is stored (`GuessCloudForPath`): s3:// is AWS unless
 * HCLOUD_TOKEN or LINODE_TOKEN is set; gs:// GCE; swift:// OpenStack; do://, hos://, linode://, scw://,
 * azureblob:// their clouds. Undefined for any other location (file://, memfs://…).
 */
export function guessCloudForPath(path: string, env: NodeJS.ProcessEnv = process.env): KopsCloud | 'azure' | undefined {
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(path)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'azureblob':
      return 'azure';
    case 'do':
      return 'digitalocean';
    case 'hos':
      return 'hetzner';
    case 'gs':
      return 'gce';
    case 'linode':
      return 'linode';
    case 'scw':
      return 'scaleway';
    case 'swift':
      return 'openstack';
    case 's3':
      if (env.HCLOUD_TOKEN) return 'hetzner';
      if (env.LINODE_TOKEN) return 'linode';
      return 'aws';
    default:
      return undefined;
  }
}

/**
 * A Statestore extension for stores that imply no cloud (file://, memfs://, bare paths), where kops
 * asks for --cloud: the cloud whose zone names look like the given ones — AWS (`us-east-1a`,
 * `us-gov-west-1b`) or GCE (`us-central1-a`) — when every zone agrees; undefined otherwise.
 */
export function guessCloudForZones(zones: readonly string[]): 'aws' | 'gce' | undefined {
  if (zones.length === 0) return undefined;
  if (zones.every((z) => /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/.test(z))) return 'aws';
  if (zones.every((z) => /^[a-z]+-[a-z]+\d+-[a-z]$/.test(z))) return 'gce';
  return undefined;
}
