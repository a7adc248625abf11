/**
 * kops's `--set`/`--unset` paths name fields of its internal API, while the store holds v1alpha2. This
 * table maps the internal spellings that differ onto the stored ones (pkg/apis/kops/v1alpha2/conversion.go),
 * plus the v1alpha2 spellings kops itself translates (pkg/apis/kops/fieldmap.go). Paths already in
 * v1alpha2 form pass through unchanged.
 */
import type { FieldPathElement } from './field-path.js';

type Alias = readonly [from: readonly string[], to: readonly string[]];

const CLUSTER_ALIASES: readonly Alias[] = [
  [['spec', 'api', 'publicName'], ['spec', 'masterPublicName']],
  [['spec', 'api', 'access'], ['spec', 'kubernetesApiAccess']],
  [['spec', 'api', 'additionalSANs'], ['spec', 'additionalSans']],
  [['spec', 'networking', 'networkCIDR'], ['spec', 'networkCIDR']],
  [['spec', 'networking', 'additionalNetworkCIDRs'], ['spec', 'additionalNetworkCIDRs']],
  [['spec', 'networking', 'networkID'], ['spec', 'networkID']],
  [['spec', 'networking', 'subnets'], ['spec', 'subnets']],
  [['spec', 'networking', 'topology', 'dns'], ['spec', 'topology', 'dns', 'type']],
  [['spec', 'networking', 'topology', 'bastion', 'publicName'], ['spec', 'topology', 'bastion', 'bastionPublicName']],
  [['spec', 'networking', 'topology'], ['spec', 'topology']],
  [['spec', 'networking', 'serviceClusterIPRange'], ['spec', 'serviceClusterIPRange']],
  [['spec', 'networking', 'podCIDR'], ['spec', 'podCIDR']],
  [['spec', 'networking', 'nonMasqueradeCIDR'], ['spec', 'nonMasqueradeCIDR']],
  [['spec', 'networking', 'egressProxy'], ['spec', 'egressProxy']],
  [['spec', 'networking', 'isolateControlPlane'], ['spec', 'isolateMasters']],
  [['spec', 'networking', 'gcp'], ['spec', 'networking', 'gce']],
  [['spec', 'networking', 'kubeRouter'], ['spec', 'networking', 'kuberouter']],
  [['spec', 'networking', 'amazonVPC'], ['spec', 'networking', 'amazonvpc']],
  [['spec', 'controlPlaneKubelet'], ['spec', 'masterKubelet']],
  [['spec', 'externalDNS'], ['spec', 'externalDns']],
  [['spec', 'configStore', 'base'], ['spec', 'configBase']],
  [['spec', 'configStore', 'keypairs'], ['spec', 'keyStore']],
  [['spec', 'configStore', 'secrets'], ['spec', 'secretStore']],
  [['spec', 'cloudProvider', 'gce', 'project'], ['spec', 'project']],
  [['spec', 'cloudProvider', 'gce', 'serviceAccount'], ['spec', 'cloudConfig', 'gceServiceAccount']],
  [['spec', 'cloudProvider', 'aws', 'nodeTerminationHandler'], ['spec', 'nodeTerminationHandler']],
  [['spec', 'cloudProvider', 'aws', 'loadBalancerController'], ['spec', 'awsLoadBalancerController']],
  [['spec', 'cloudProvider', 'aws', 'warmPool'], ['spec', 'warmPool']],
  [['spec', 'cloudProvider', 'aws', 'podIdentityWebhook'], ['spec', 'podIdentityWebhook']],
  [['spec', 'cloudProvider', 'aws', 'ebsCSIDriver'], ['spec', 'cloudConfig', 'awsEBSCSIDriver']],
  [['spec', 'cloudProvider', 'openstack'], ['spec', 'cloudConfig', 'openstack']],
  [['spec', 'cloudProvider', 'azure'], ['spec', 'cloudConfig', 'azure']],
  [['spec', 'etcdClusters', '*', 'members'], ['spec', 'etcdClusters', '*', 'etcdMembers']],
];

const INSTANCE_GROUP_ALIASES: readonly Alias[] = [
  [['spec', 'rootVolume', 'size'], ['spec', 'rootVolumeSize']],
  [['spec', 'rootVolume', 'type'], ['spec', 'rootVolumeType']],
  [['spec', 'rootVolume', 'iops'], ['spec', 'rootVolumeIops']],
  [['spec', 'rootVolume', 'throughput'], ['spec', 'rootVolumeThroughput']],
  [['spec', 'rootVolume', 'optimization'], ['spec', 'rootVolumeOptimization']],
  [['spec', 'rootVolume', 'encryption'], ['spec', 'rootVolumeEncryption']],
  [['spec', 'rootVolume', 'encryptionKey'], ['spec', 'rootVolumeEncryptionKey']],
  [['spec', 'rootVolume', 'deleteOnTermination'], ['spec', 'rootVolumeDeleteOnTermination']],
  [['spec', 'associatePublicIP'], ['spec', 'associatePublicIp']],
];

/** Rewrites an internal-API path to the stored v1alpha2 path (unchanged when it is already v1alpha2). */
export function toStoredPath(kind: 'Cluster' | 'InstanceGroup', elements: readonly FieldPathElement[]): FieldPathElement[] {
  for (const [from, to] of kind === 'Cluster' ? CLUSTER_ALIASES : INSTANCE_GROUP_ALIASES) {
    const consumed = matchPrefix(elements, from);
    if (consumed === undefined) continue;
    const indexes = elements.filter((e, i) => i < consumed && e.type !== 'field');
    const out = to.map((name): FieldPathElement => (name === '*' ? (indexes.shift() ?? { type: 'wildcard' }) : { type: 'field', name }));
    return [...out, ...elements.slice(consumed)];
  }
  return [...elements];
}

/** How many elements of `elements` the alias prefix covers, or undefined when it does not match. */
function matchPrefix(elements: readonly FieldPathElement[], prefix: readonly string[]): number | undefined {
  let i = 0;
  for (const name of prefix) {
    const e = elements[i];
    if (!e) return undefined;
    if (name === '*') {
      if (e.type === 'field') return undefined;
    } else if (e.type !== 'field' || e.name !== name) {
      return undefined;
    }
    i++;
  }
  return i;
}
