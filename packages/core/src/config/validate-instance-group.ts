/**
 * kops's instance-group validation (pkg/apis/kops/validation/instancegroup.go: ValidateInstanceGroup,
 * CrossValidateInstanceGroup, ValidateControlPlaneInstanceGroup, plus the AWS and GCE checks that need no
 * cloud call) on a v1alpha2 InstanceGroup, with the same field paths and messages.
 */
import { checkValue, fieldError } from './field-errors.js';
import { dns1123SubdomainErrors } from './dns-names.js';
import { READABLE_API_VERSIONS, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';
import { instanceGroupShapeErrors } from './validate-shape.js';

/** v1alpha2 role names (kops reads `ControlPlane` as well as `Master`). */
const ROLES = ['Master', 'ControlPlane', 'APIServer', 'Node', 'Bastion'];
const AWS_DEDICATED_EXCEPTIONS = new Set(['t2.nano', 't2.micro', 't2.small', 't2.medium', 't2.large', 't2.xlarge']);

const isControlPlaneRole = (role: unknown) => role === 'Master' || role === 'ControlPlane';

/** ValidateInstanceGroup and, with the cluster, CrossValidateInstanceGroup. */
export function validateInstanceGroup(ig: KopsInstanceGroup, cluster?: KopsCluster): string[] {
  const shape = instanceGroupShapeErrors(ig);
  if (shape.length > 0) return shape;
  const errors: string[] = [];
  if (!(READABLE_API_VERSIONS as readonly string[]).includes(ig.apiVersion)) errors.push(fieldError.notSupported('apiVersion', ig.apiVersion ?? '', ['kops.k8s.io/v1alpha2']));
  if (ig.kind !== 'InstanceGroup') errors.push(fieldError.notSupported('kind', ig.kind ?? '', ['InstanceGroup']));
  const name = ig.metadata?.name ?? '';
  if (!name) errors.push(fieldError.required('objectMeta.name'));
  else for (const message of dns1123SubdomainErrors(name)) errors.push(fieldError.invalid('metadata.name', name, message));
  const spec = ig.spec ?? {};
  const role = spec.role;
  if (!role) errors.push(fieldError.required('spec.role', 'Role must be set'));
  else if (!ROLES.includes(role)) errors.push(fieldError.notSupported('spec.role', role, ['ControlPlane', 'APIServer', 'Node', 'Bastion']));
  if (isControlPlaneRole(role)) {
    if (!Array.isArray(spec.subnets) || spec.subnets.length === 0) errors.push(fieldError.required('spec.subnets', 'controlPlane InstanceGroup must specify at least one Subnet'));
    if (typeof spec.minSize === 'number' && spec.minSize > 1) errors.push(fieldError.invalid('spec.minSize', spec.minSize, 'controlPlane InstanceGroup must have minSize set to 1'));
    if (typeof spec.maxSize === 'number' && spec.maxSize > 1) errors.push(fieldError.invalid('spec.maxSize', spec.maxSize, 'controlPlane InstanceGroup must have maxSize set to 1, add more InstanceGroups instead'));
  }
  for (const field of ['minSize', 'maxSize'] as const) {
    const v = spec[field];
    if (v !== undefined && v !== null && !Number.isInteger(v)) errors.push(fieldError.invalid(`spec.${field}`, v, 'must be a whole number'));
  }
  if (spec.tenancy) checkValue(errors, 'spec.tenancy', spec.tenancy, ['default', 'dedicated', 'host']);
  if (typeof spec.minSize === 'number' && typeof spec.maxSize === 'number' && spec.maxSize < spec.minSize) {
    errors.push(fieldError.forbidden('spec.maxSize', 'maxSize must be greater than or equal to minSize.'));
  }
  for (const field of ['rootVolumeIOPS', 'rootVolumeThroughput'] as const) {
    const v = spec[field];
    if (typeof v === 'number' && v < 0) errors.push(fieldError.invalid(`spec.rootVolume.${field === 'rootVolumeIOPS' ? 'iops' : 'throughput'}`, v, `${field === 'rootVolumeIOPS' ? 'IOPS' : 'Throughput'} must be greater than 0`));
  }
  const sysctls = spec.sysctlParameters;
  if (Array.isArray(sysctls)) sysctls.forEach((p, i) => !String(p).includes('=') && errors.push(fieldError.invalid(`spec.sysctlParameters[${i}]`, p, 'must contain a "=" character')));
  for (const key of Object.keys(spec.nodeLabels ?? {})) if ((key.match(/\//g)?.length ?? 0) > 1) errors.push(fieldError.invalid('spec.nodeLabels', key, 'Node label may only contain a single slash'));
  const cloudLabels = spec.cloudLabels as Record<string, string> | undefined;
  if (cloudLabels && typeof cloudLabels === 'object') {
    const generic: Record<string, string> = {};
    for (const [key, value] of Object.entries(cloudLabels)) {
      if (key === 'kops.k8s.io/instancegroup') {
        if (value !== name) errors.push(fieldError.invalid('spec.cloudLabels.kops.k8s.io/instancegroup', key, 'value must match instance group name'));
      } else generic[key] = value;
    }
    errors.push(...cloudLabelErrors(generic, 'spec.cloudLabels'));
  }
  checkValue(errors, 'spec.updatePolicy', spec.updatePolicy, ['Automatic', 'External']);
  const taints = spec.taints;
  if (Array.isArray(taints)) {
    const seen = new Set<string>();
    taints.forEach((t, i) => {
      if (!/^[^=:]+(=[^:]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/.test(String(t))) errors.push(fieldError.invalid(`spec.taints[${i}]`, t, 'invalid taint value'));
      if (seen.has(String(t))) errors.push(fieldError.duplicate(`spec.taints[${i}]`, t));
      seen.add(String(t));
    });
  }
  if (cluster) errors.push(...crossValidate(ig, cluster));
  return errors;
}

/** Reserved cloud-label keys and prefixes (validateCloudLabels). */
export function cloudLabelErrors(labels: Record<string, unknown>, path: string): string[] {
  const errors: string[] = [];
  for (const key of ['Name', 'KubernetesCluster']) if (key in labels) errors.push(fieldError.forbidden(`${path}.${key}`, `${JSON.stringify(key)} is a reserved label and cannot be used as a custom label`));
  for (const prefix of ['kubernetes.io/cluster/', 'k8s.io/role/', 'kops.k8s.io/']) {
    for (const key of Object.keys(labels)) if (key.startsWith(prefix)) errors.push(fieldError.forbidden(`${path}.${key}`, `${JSON.stringify(prefix)} is a reserved label prefix and cannot be used as a custom label`));
  }
  return errors;
}

function crossValidate(ig: KopsInstanceGroup, cluster: KopsCluster): string[] {
  const errors: string[] = [];
  const spec = ig.spec ?? {};
  const name = ig.metadata?.name ?? '';
  const cloud = cluster.spec?.cloudProvider;
  if (isControlPlaneRole(spec.role)) {
    for (const etcd of cluster.spec?.etcdClusters ?? []) {
      const members = etcd?.etcdMembers ?? [];
      if (!members.some((m) => m?.instanceGroup === name)) {
        const last = members.length > 0 ? (members[members.length - 1]!.instanceGroup ?? '') : '';
        errors.push(fieldError.forbidden('spec.metadata.name', `InstanceGroup "${name}" with role ControlPlane must have a member in etcd (IG: "${last}") cluster "${etcd?.name ?? ''}"`));
      }
    }
  }
  if (spec.role === 'APIServer') {
    if (cloud === 'aws') {
      if (cluster.spec?.topology?.dns?.type === 'None') errors.push(fieldError.forbidden('spec.role', 'APIServer cannot be used with topology.dns.type=None'));
    } else if (cloud !== 'gce') errors.push(fieldError.forbidden('spec.role', 'APIServer role only supported on AWS and GCE'));
  }
  const known = new Set((cluster.spec?.subnets ?? []).map((s) => s?.name));
  (Array.isArray(spec.subnets) ? spec.subnets : []).forEach((s, i) => {
    if (!known.has(s)) errors.push(fieldError.notFound(`spec.networking.subnets[${i}]`, s));
  });
  if (cloud === 'aws') {
    checkValue(errors, 'spec.rootVolume.type', spec.rootVolumeType, ['standard', 'gp3', 'gp2', 'io1', 'io2']);
    const groups = spec.additionalSecurityGroups;
    if (Array.isArray(groups)) {
      const seen = new Set<string>();
      groups.forEach((g, i) => {
        const path = `spec.additionalSecurityGroups[${i}]`;
        if (seen.has(g)) errors.push(fieldError.duplicate(path, g));
        seen.add(g);
        if (String(g).trim() === '') errors.push(fieldError.invalid(path, g, 'security group cannot be empty, if specified'));
        else if (!String(g).startsWith('sg-')) errors.push(fieldError.invalid(path, g, 'security group does not match the expected AWS format'));
      });
    }
    if (spec.tenancy && spec.tenancy !== 'default' && AWS_DEDICATED_EXCEPTIONS.has(String(spec.machineType))) errors.push(`invalid dedicated instance type: ${spec.machineType}`);
  }
  if (cloud === 'gce') {
    checkValue(errors, 'spec.gcpProvisioningModel', spec.gcpProvisioningModel, ['STANDARD', 'SPOT']);
    if (!Array.isArray(spec.zones) || spec.zones.length === 0) errors.push(fieldError.required('spec.zones', 'zones should be specified'));
  }
  if (spec.manager === 'Karpenter') {
    if (cloud !== 'aws') errors.push(fieldError.forbidden('spec.manager', 'Karpenter InstanceGroups are only supported on AWS'));
    if (spec.role !== 'Node') errors.push(fieldError.forbidden('spec.role', 'Karpenter InstanceGroups must have role Node'));
    if (typeof spec.maxSize === 'number' && spec.maxSize <= 0) errors.push(fieldError.invalid('spec.maxSize', spec.maxSize, 'must be greater than zero'));
    if (typeof spec.minSize === 'number') {
      if (spec.minSize <= 0) errors.push(fieldError.invalid('spec.minSize', spec.minSize, 'must be greater than zero for static capacity'));
      else if (!karpenterStaticCapacity(cluster)) errors.push(fieldError.forbidden('spec.minSize', 'static capacity requires StaticCapacity=true in cluster.spec.karpenter.featureGates'));
    }
  }
  if (cloud !== 'aws' && Array.isArray(spec.volumes) && spec.volumes.length > 0) errors.push(fieldError.forbidden('spec.volumes', 'instancegroup volumes are only available with aws at present'));
  return errors;
}

/** Karpenter static capacity: on unless `spec.karpenter.featureGates` lists StaticCapacity other than true. */
function karpenterStaticCapacity(cluster: KopsCluster): boolean {
  const gates = (cluster.spec?.karpenter as { featureGates?: unknown } | undefined)?.featureGates;
  if (typeof gates !== 'string' || gates === '') return true;
  let enabled = false;
  for (const gate of gates.split(',')) {
    const [key, value] = gate.split('=');
    if (value !== undefined && key!.trim() === 'StaticCapacity') enabled = value.trim().toLowerCase() === 'true';
  }
  return enabled;
}
