/**
 * Merging `create cluster` options into a cluster that already exists (the seeds' rule; modern kops
 * refuses instead): each value option changes exactly the fields it maps to — `--node-size` the nodes'
 * machineType, `--kubernetes-version` spec.kubernetesVersion, and so on — and nothing else, and edits
 * keep the stored layout and comments. Options that reshape a cluster (zones, control-plane zones and
 * count, topology, network CIDRs, cloud) are refused when they differ from what is stored.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { applyNetworking } from './new-cluster-network.js';
import { isControlPlane, isNodeGroup, type ClusterSpec, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';
import type { KopsYamlDocument } from './kops-yaml.js';
import { setFields, unsetFields } from './set-fields.js';

/** The `create cluster` options, as given on the command line (absent = not given). */
export interface ClusterMergeOptions {
  cloud?: string;
  zones?: string[];
  controlPlaneZones?: string[];
  controlPlaneCount?: number;
  topology?: string;
  networkCidrs?: string[];
  kubernetesVersion?: string;
  networking?: string;
  controlPlaneSizes?: string[];
  nodeSizes?: string[];
  nodeCount?: number;
  image?: string;
  adminAccess?: string[];
  sshAccess?: string[];
  channel?: string;
  dnsZone?: string;
  project?: string;
  sets?: readonly string[];
  unsets?: readonly string[];
}

/** Options that reshape a cluster, by flag. */
export const RESHAPING_FLAGS = ['--zones', '--control-plane-zones', '--control-plane-count', '--topology', '--network-cidr', '--cloud'] as const;

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

function igZones(cluster: KopsCluster, ig: KopsInstanceGroup): string[] {
  if (ig.spec.zones && ig.spec.zones.length > 0) return ig.spec.zones;
  const subnets = cluster.spec.subnets ?? [];
  return (ig.spec.subnets ?? []).map((name) => subnets.find((s) => s.name === name)?.zone ?? name);
}

/**
 * Refuses options that would reshape the stored cluster. An option equal to what is stored is accepted,
 * so re-running the original command with one value changed works.
 */
export function assertNoReshaping(cluster: KopsCluster, instanceGroups: readonly KopsInstanceGroup[], options: ClusterMergeOptions): void {
  const spec = cluster.spec;
  const problems: string[] = [];
  const controlPlanes = instanceGroups.filter(isControlPlane);
  if (options.cloud !== undefined && options.cloud !== spec.cloudProvider) problems.push(`--cloud ${options.cloud} (stored: ${spec.cloudProvider ?? 'none'})`);
  if (options.zones !== undefined) {
    const stored = [...new Set([...(spec.subnets ?? []).map((s) => s.zone), ...instanceGroups.flatMap((g) => g.spec.zones ?? [])].filter((z): z is string => Boolean(z)))];
    const given = [...options.zones, ...(options.controlPlaneZones ?? [])];
    if (!sameSet(given, stored)) problems.push(`--zones ${options.zones.join(',')} (stored: ${stored.sort().join(',')})`);
  }
  if (options.controlPlaneZones !== undefined) {
    const stored = [...new Set(controlPlanes.flatMap((g) => igZones(cluster, g)))];
    if (!sameSet(options.controlPlaneZones, stored)) problems.push(`--control-plane-zones ${options.controlPlaneZones.join(',')} (stored: ${stored.sort().join(',')})`);
  }
  if (options.controlPlaneCount !== undefined && options.controlPlaneCount !== controlPlanes.length) {
    problems.push(`--control-plane-count ${options.controlPlaneCount} (stored: ${controlPlanes.length})`);
  }
  if (options.topology !== undefined) {
    const stored = (spec.subnets ?? []).some((s) => s.type === 'Private') ? 'private' : 'public';
    if (options.topology.toLowerCase() !== stored) problems.push(`--topology ${options.topology} (stored: ${stored})`);
  }
  if (options.networkCidrs !== undefined) {
    const stored = [spec.networkCIDR, ...(spec.additionalNetworkCIDRs ?? [])].filter((c): c is string => Boolean(c));
    if (options.networkCidrs.join(',') !== stored.join(',')) problems.push(`--network-cidr ${options.networkCidrs.join(',')} (stored: ${stored.join(',') || 'none'})`);
  }
  if (problems.length > 0) {
    const name = cluster.metadata.name ?? '';
    throw new InvalidConfigError(
      `Cluster ${name} already exists, and these options would reshape it: ${problems.join('; ')}. ` +
        `Options that reshape a cluster (${RESHAPING_FLAGS.join(', ')}) are refused on an existing cluster. ` +
        `Change its subnets and instance groups with \`statestore edit cluster ${name}\` and \`statestore edit instancegroup\`, or drop those options to merge the others.`,
    );
  }
}

/** True when the options hold anything to merge into the Cluster object. */
function touchesCluster(o: ClusterMergeOptions): boolean {
  return [o.kubernetesVersion, o.networking, o.adminAccess, o.sshAccess, o.channel, o.dnsZone, o.project].some((v) => v !== undefined) || (o.sets?.length ?? 0) > 0 || (o.unsets?.length ?? 0) > 0;
}

/** Merges the cluster-level value options into the stored Cluster document (in place). */
export function mergeClusterOptions(doc: KopsYamlDocument, options: ClusterMergeOptions): void {
  if (!touchesCluster(options)) return;
  if (options.kubernetesVersion !== undefined) doc.setIn(['spec', 'kubernetesVersion'], options.kubernetesVersion);
  if (options.channel !== undefined) doc.setIn(['spec', 'channel'], options.channel);
  if (options.adminAccess !== undefined) doc.setIn(['spec', 'kubernetesApiAccess'], options.adminAccess);
  if (options.sshAccess !== undefined) doc.setIn(['spec', 'sshAccess'], options.sshAccess);
  if (options.dnsZone !== undefined) doc.setIn(['spec', 'dnsZone'], options.dnsZone);
  if (options.project !== undefined) doc.setIn(['spec', 'project'], options.project);
  if (options.networking !== undefined) mergeNetworking(doc, options.networking);
  unsetFields(doc, 'Cluster', options.unsets ?? []);
  setFields(doc, 'Cluster', options.sets ?? []);
}

const REPLACES_KUBE_PROXY = ['cilium', 'kuberouter'];

/** `--networking`: the plugin block, and kubeProxy.enabled=false where the plugin replaces kube-proxy. */
function mergeNetworking(doc: KopsYamlDocument, networking: string): void {
  const current = doc.getIn(['spec', 'networking']) as Record<string, unknown> | undefined;
  const fresh: ClusterSpec = {};
  applyNetworking(fresh, networking);
  const plugin = Object.keys(fresh.networking ?? {})[0]!;
  if (!current || !(plugin in current)) doc.setIn(['spec', 'networking'], fresh.networking);
  if (fresh.kubeProxy?.enabled === false) {
    doc.setIn(['spec', 'kubeProxy', 'enabled'], false);
  } else if (current && Object.keys(current).some((k) => REPLACES_KUBE_PROXY.includes(k)) && doc.getIn(['spec', 'kubeProxy', 'enabled']) === false) {
    doc.deleteIn(['spec', 'kubeProxy', 'enabled']);
    const rest = doc.getIn(['spec', 'kubeProxy']);
    if (rest && typeof rest === 'object' && Object.keys(rest).length === 0) doc.deleteIn(['spec', 'kubeProxy']);
  }
}

/**
 * How `--node-count` divides over the node groups (sorted by name): equal shares, the remainder to
 * the first groups, as kops divides it over zones at creation.
 */
export function nodeCountShares(nodeGroupNames: readonly string[], total: number): Map<string, number> {
  const names = [...nodeGroupNames].sort();
  const shares = new Map<string, number>();
  if (names.length === 0) return shares;
  const each = Math.floor(total / names.length);
  const remainder = total % names.length;
  names.forEach((n, i) => shares.set(n, each + (i < remainder ? 1 : 0)));
  return shares;
}

/** Merges the instance-group options into one stored InstanceGroup document (in place). */
export function mergeInstanceGroupOptions(doc: KopsYamlDocument, options: ClusterMergeOptions, context: { cloud?: string; nodeShare?: number }): void {
  const ig = doc.toJS() as unknown as KopsInstanceGroup;
  const sizes = isControlPlane(ig) ? options.controlPlaneSizes : isNodeGroup(ig) ? options.nodeSizes : undefined;
  if (sizes && sizes.length > 0) {
    doc.setIn(['spec', 'machineType'], sizes[0]);
    if (context.cloud === 'aws' && sizes.length > 1) doc.setIn(['spec', 'mixedInstancesPolicy', 'instances'], sizes);
  }
  if (isNodeGroup(ig) && context.nodeShare !== undefined) {
    doc.setIn(['spec', 'minSize'], context.nodeShare);
    doc.setIn(['spec', 'maxSize'], context.nodeShare);
  }
  if (options.image !== undefined) doc.setIn(['spec', 'image'], options.image);
}

/** True when the options change instance groups at all. */
export function touchesInstanceGroups(o: ClusterMergeOptions): boolean {
  return o.controlPlaneSizes !== undefined || o.nodeSizes !== undefined || o.nodeCount !== undefined || o.image !== undefined;
}
