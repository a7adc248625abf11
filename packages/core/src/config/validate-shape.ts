/**
 * The types of the fields validation reads, checked first: kops decodes YAML into Go structs and refuses
 * a number where a string belongs before any rule runs; Statestore keeps documents as YAML, so it checks
 * the same before the rules (which may then rely on the types).
 */
import { fieldError } from './field-errors.js';

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'list';

/** Expected kinds by path; `[]` matches every element of a list. */
const CLUSTER_FIELDS: [string, Kind][] = [
  ['metadata', 'object'],
  ['metadata.name', 'string'],
  ['metadata.annotations', 'object'],
  ['spec', 'object'],
  ...(['kubernetesVersion', 'cloudProvider', 'configBase', 'keyStore', 'secretStore', 'networkCIDR', 'networkID', 'nonMasqueradeCIDR', 'podCIDR', 'serviceClusterIPRange', 'project', 'channel', 'dnsZone', 'masterPublicName'] as const).map(
    (f): [string, Kind] => [`spec.${f}`, 'string'],
  ),
  ...(['kubernetesApiAccess', 'sshAccess', 'nodePortAccess', 'additionalNetworkCIDRs'] as const).flatMap((f): [string, Kind][] => [
    [`spec.${f}`, 'list'],
    [`spec.${f}[]`, 'string'],
  ]),
  ['spec.subnets', 'list'],
  ['spec.subnets[]', 'object'],
  ...(['name', 'zone', 'region', 'cidr', 'ipv6CIDR', 'egress', 'type', 'id'] as const).map((f): [string, Kind] => [`spec.subnets[].${f}`, 'string']),
  ['spec.etcdClusters', 'list'],
  ['spec.etcdClusters[]', 'object'],
  ['spec.etcdClusters[].name', 'string'],
  ['spec.etcdClusters[].version', 'string'],
  ['spec.etcdClusters[].image', 'string'],
  ['spec.etcdClusters[].etcdMembers', 'list'],
  ['spec.etcdClusters[].etcdMembers[]', 'object'],
  ['spec.etcdClusters[].etcdMembers[].name', 'string'],
  ['spec.etcdClusters[].etcdMembers[].instanceGroup', 'string'],
  ...(['topology', 'topology.dns', 'api', 'api.loadBalancer', 'networking', 'kubeProxy', 'kubelet', 'iam', 'cloudConfig', 'cloudLabels', 'serviceAccountIssuerDiscovery', 'karpenter'] as const).map(
    (f): [string, Kind] => [`spec.${f}`, 'object'],
  ),
  ['spec.topology.dns.type', 'string'],
  ['spec.serviceAccountIssuerDiscovery.discoveryStore', 'string'],
];

const INSTANCE_GROUP_FIELDS: [string, Kind][] = [
  ['metadata', 'object'],
  ['metadata.name', 'string'],
  ['spec', 'object'],
  ...(['role', 'machineType', 'image', 'tenancy', 'manager', 'rootVolumeType'] as const).map((f): [string, Kind] => [`spec.${f}`, 'string']),
  ...(['minSize', 'maxSize', 'rootVolumeSize'] as const).map((f): [string, Kind] => [`spec.${f}`, 'number']),
  ...(['subnets', 'zones', 'additionalSecurityGroups', 'taints'] as const).flatMap((f): [string, Kind][] => [
    [`spec.${f}`, 'list'],
    [`spec.${f}[]`, 'string'],
  ]),
  ['spec.nodeLabels', 'object'],
  ['spec.cloudLabels', 'object'],
];

function kindOf(value: unknown): Kind {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'object';
  return typeof value as Kind;
}

const WANT: Record<Kind, string> = { string: 'a string', number: 'a number', boolean: 'true or false', object: 'a map', list: 'a list' };

/** Values at a dotted path with `[]` wildcards, with their concrete paths. */
function* at(value: unknown, parts: readonly string[], path: string): Generator<[string, unknown]> {
  if (parts.length === 0) {
    yield [path, value];
    return;
  }
  const [part, ...rest] = parts;
  if (part!.endsWith('[]')) {
    const key = part!.slice(0, -2);
    const list = key === '' ? value : (value as Record<string, unknown> | undefined)?.[key];
    if (!Array.isArray(list)) return;
    const base = key === '' ? path : path === '' ? key : `${path}.${key}`;
    for (let i = 0; i < list.length; i++) yield* at(list[i], rest, `${base}[${i}]`);
    return;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  yield* at((value as Record<string, unknown>)[part!], rest, path === '' ? part! : `${path}.${part}`);
}

function shapeErrors(object: unknown, fields: readonly [string, Kind][]): string[] {
  const errors: string[] = [];
  for (const [path, kind] of fields) {
    for (const [concrete, value] of at(object, path.split('.'), '')) {
      // an empty value decodes to the zero value in kops
      if (value === undefined || value === null) continue;
      if (kindOf(value) !== kind) errors.push(fieldError.invalid(concrete, value, `must be ${WANT[kind]}`));
    }
  }
  return errors;
}

/** Fields of a Cluster that hold the wrong type of value. */
export function clusterShapeErrors(cluster: unknown): string[] {
  return shapeErrors(cluster, CLUSTER_FIELDS);
}

/** Fields of an InstanceGroup that hold the wrong type of value. */
export function instanceGroupShapeErrors(ig: unknown): string[] {
  return shapeErrors(ig, INSTANCE_GROUP_FIELDS);
}
