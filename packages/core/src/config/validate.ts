/**
 * The structural checks kops runs before it writes a Cluster or InstanceGroup (a subset of
 * pkg/apis/kops/validation that needs no cloud): names, versions, CIDRs, subnet and instance-group
 * references. Errors are collected and reported together, each naming its field.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { isIpv4Cidr } from './cidr.js';
import { KOPS_CLOUDS, parseKubernetesVersion } from './kops-defaults.js';
import { READABLE_API_VERSIONS, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Subdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => DNS_LABEL.test(l));
}

function isCidr(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  if (isIpv4Cidr(text)) return true;
  return /^[0-9a-fA-F:]+(:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})?\/\d{1,3}$/.test(text) && text.includes(':');
}

/** Problems with a cluster (and its instance groups when given); empty when valid. */
export function validateCluster(cluster: KopsCluster, instanceGroups?: readonly KopsInstanceGroup[]): string[] {
  const errors: string[] = [];
  if (!(READABLE_API_VERSIONS as readonly string[]).includes(cluster.apiVersion)) errors.push(`apiVersion: must be kops.k8s.io/v1alpha2, not ${JSON.stringify(cluster.apiVersion)}`);
  if (cluster.kind !== 'Cluster') errors.push(`kind: must be Cluster, not ${JSON.stringify(cluster.kind)}`);
  const name = cluster.metadata?.name ?? '';
  const spec = cluster.spec ?? {};
  if (!name) errors.push('metadata.name: Required value: Cluster Name is required (e.g. create cluster mycluster.example.com)');
  else if (!isDns1123Subdomain(name)) errors.push(`metadata.name: Invalid value ${JSON.stringify(name)}: Cluster Name must be a valid DNS name (lowercase letters, digits, '-' and '.')`);
  else if (!name.includes('.') && spec.topology?.dns?.type !== 'None') errors.push(`metadata.name: Invalid value ${JSON.stringify(name)}: Cluster Name must be a fully-qualified DNS name (e.g. mycluster.example.com) unless DNS is none`);
  if (!spec.kubernetesVersion) errors.push('spec.kubernetesVersion: Required value');
  else {
    try {
      parseKubernetesVersion(spec.kubernetesVersion);
    } catch (e) {
      errors.push(`spec.kubernetesVersion: ${(e as Error).message}`);
    }
  }
  if (!spec.cloudProvider) errors.push('spec.cloudProvider: Required value');
  else if (!(KOPS_CLOUDS as readonly string[]).includes(spec.cloudProvider)) errors.push(`spec.cloudProvider: Unsupported value ${JSON.stringify(spec.cloudProvider)}: supported values: ${KOPS_CLOUDS.join(', ')}`);
  if (spec.gossipConfig !== undefined) errors.push('spec.gossipConfig: Forbidden: gossip DNS support was removed in kOps 1.37; remove this field');
  for (const field of ['networkCIDR', 'nonMasqueradeCIDR', 'podCIDR', 'serviceClusterIPRange'] as const) {
    const v = spec[field];
    if (v !== undefined && v !== '' && !isCidr(v)) errors.push(`spec.${field}: Invalid value ${JSON.stringify(v)}: must be a CIDR`);
  }
  (spec.additionalNetworkCIDRs ?? []).forEach((c, i) => {
    if (!isCidr(c)) errors.push(`spec.additionalNetworkCIDRs[${i}]: Invalid value ${JSON.stringify(c)}: must be a CIDR`);
  });
  for (const field of ['kubernetesApiAccess', 'sshAccess'] as const) {
    const list = spec[field];
    if (list !== undefined && !Array.isArray(list)) errors.push(`spec.${field}: must be a list of CIDRs`);
    (Array.isArray(list) ? list : []).forEach((c, i) => {
      if (!isCidr(c) && !/^(sg-|pl-)/.test(String(c))) errors.push(`spec.${field}[${i}]: Invalid value ${JSON.stringify(c)}: must be a CIDR`);
    });
  }
  const subnetNames = new Set<string>();
  const subnets = spec.subnets ?? [];
  if (!Array.isArray(subnets)) errors.push('spec.subnets: must be a list');
  (Array.isArray(subnets) ? subnets : []).forEach((s, i) => {
    if (!s?.name) errors.push(`spec.subnets[${i}].name: Required value`);
    else if (subnetNames.has(s.name)) errors.push(`spec.subnets[${i}].name: Duplicate value ${JSON.stringify(s.name)}`);
    else subnetNames.add(s.name);
    if (s?.cidr !== undefined && !isCidr(s.cidr)) errors.push(`spec.subnets[${i}].cidr: Invalid value ${JSON.stringify(s.cidr)}: must be a CIDR`);
    if (s?.type !== undefined && !['Public', 'Private', 'Utility', 'DualStack'].includes(s.type)) {
      errors.push(`spec.subnets[${i}].type: Unsupported value ${JSON.stringify(s.type)}: supported values: Public, Private, Utility, DualStack`);
    }
  });
  const etcdNames = new Set<string>();
  const igNames = instanceGroups ? new Set(instanceGroups.map((g) => g.metadata?.name)) : undefined;
  (spec.etcdClusters ?? []).forEach((etcd, i) => {
    if (!etcd?.name) errors.push(`spec.etcdClusters[${i}].name: Required value`);
    else if (etcdNames.has(etcd.name)) errors.push(`spec.etcdClusters[${i}].name: Duplicate value ${JSON.stringify(etcd.name)}`);
    else etcdNames.add(etcd.name);
    const members = etcd?.etcdMembers ?? [];
    if (members.length === 0) errors.push(`spec.etcdClusters[${i}].etcdMembers: Required value: must have at least one member`);
    members.forEach((m, j) => {
      if (!m?.name) errors.push(`spec.etcdClusters[${i}].etcdMembers[${j}].name: Required value`);
      if (igNames && m?.instanceGroup && !igNames.has(m.instanceGroup)) {
        errors.push(`spec.etcdClusters[${i}].etcdMembers[${j}].instanceGroup: Not found ${JSON.stringify(m.instanceGroup)}: no instance group of that name`);
      }
    });
  });
  for (const ig of instanceGroups ?? []) errors.push(...validateInstanceGroup(ig, cluster).map((e) => `InstanceGroup ${ig.metadata?.name ?? '?'}: ${e}`));
  return errors;
}

/** Problems with one instance group (subnets checked against the cluster when given). */
export function validateInstanceGroup(ig: KopsInstanceGroup, cluster?: KopsCluster): string[] {
  const errors: string[] = [];
  const name = ig.metadata?.name ?? '';
  if (!(READABLE_API_VERSIONS as readonly string[]).includes(ig.apiVersion)) errors.push(`apiVersion: must be kops.k8s.io/v1alpha2, not ${JSON.stringify(ig.apiVersion)}`);
  if (ig.kind !== 'InstanceGroup') errors.push(`kind: must be InstanceGroup, not ${JSON.stringify(ig.kind)}`);
  if (!name) errors.push('metadata.name: Required value');
  else if (!isDns1123Subdomain(name)) errors.push(`metadata.name: Invalid value ${JSON.stringify(name)}: must be a DNS-1123 subdomain`);
  const spec = ig.spec ?? {};
  const roles = ['Master', 'ControlPlane', 'Node', 'Bastion', 'APIServer'];
  if (!spec.role) errors.push('spec.role: Required value');
  else if (!roles.includes(spec.role)) errors.push(`spec.role: Unsupported value ${JSON.stringify(spec.role)}: supported values: ${roles.join(', ')}`);
  for (const field of ['minSize', 'maxSize'] as const) {
    const v = spec[field];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) errors.push(`spec.${field}: Invalid value ${JSON.stringify(v)}: must be a whole number ≥ 0`);
  }
  if (typeof spec.minSize === 'number' && typeof spec.maxSize === 'number' && spec.minSize > spec.maxSize) errors.push('spec.maxSize: Forbidden: maxSize must be greater than or equal to minSize');
  if (cluster && Array.isArray(spec.subnets)) {
    const known = new Set((cluster.spec?.subnets ?? []).map((s) => s.name));
    spec.subnets.forEach((s, i) => {
      if (!known.has(s)) errors.push(`spec.subnets[${i}]: Not found ${JSON.stringify(s)}: the cluster has no subnet of that name`);
    });
  }
  return errors;
}

/** Throws InvalidConfigError listing every problem. */
export function assertValidCluster(cluster: KopsCluster, instanceGroups?: readonly KopsInstanceGroup[], source = 'the cluster'): void {
  const errors = validateCluster(cluster, instanceGroups);
  if (errors.length > 0) throw new InvalidConfigError(`${source} is not valid:\n  ${errors.join('\n  ')}`);
}

export function assertValidInstanceGroup(ig: KopsInstanceGroup, cluster?: KopsCluster, source = 'the instance group'): void {
  const errors = validateInstanceGroup(ig, cluster);
  if (errors.length > 0) throw new InvalidConfigError(`${source} is not valid:\n  ${errors.join('\n  ')}`);
}
