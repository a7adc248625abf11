/**
 * kops's validation rules as ported in validate.ts: each rule refuses with kops's message (field path
 * and text as pkg/apis/kops/validation prints them), on a cluster built by `create cluster` and then
 * changed the way a user's edit would change it.
 */
import { describe, expect, it } from 'vitest';
import { buildCluster, type BuildClusterOptions } from '../../src/config/build-cluster.js';
import type { KopsCluster, KopsInstanceGroup } from '../../src/config/kops-model.js';
import { assertValidCluster, clusterNameErrors, validateCluster } from '../../src/config/validate.js';

function built(options: Partial<BuildClusterOptions> = {}): { cluster: KopsCluster; igs: KopsInstanceGroup[] } {
  const b = buildCluster({ name: 'v.example.com', configBase: 's3://b/v.example.com', zones: ['us-east-1a'], ...options });
  return { cluster: b.cluster.toJS() as unknown as KopsCluster, igs: b.instanceGroups.map((d) => d.toJS() as unknown as KopsInstanceGroup) };
}

/** The errors after `change` edits a copy of a valid cluster (and its groups). */
function errorsAfter(change: (c: KopsCluster, igs: KopsInstanceGroup[]) => void, options: Partial<BuildClusterOptions> = {}): string[] {
  const { cluster, igs } = built(options);
  const previous = structuredClone(cluster);
  change(cluster, igs);
  return validateCluster(cluster, igs, { previous });
}

describe('kops validation, ported', () => {
  it('a cluster create cluster builds is valid', () => {
    const { cluster, igs } = built({ zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], controlPlaneCount: 3, topology: 'private', bastion: true, dns: 'public' });
    expect(validateCluster(cluster, igs)).toEqual([]);
  });

  it('zones in two regions (AWS: BuildCloud; GCE: the subnets)', () => {
    expect(() => built({ zones: ['us-east-1a', 'us-west-2a'] })).toThrow('error Clusters cannot span multiple regions (found zone "us-west-2a", but region is "us-east-1")');
    expect(() => built({ configBase: 'gs://b/v.example.com', project: 'p', zones: ['us-central1-a', 'europe-west1-b'] })).toThrow(
      'spec.networking.subnets[1].region: Forbidden: clusters cannot span regions',
    );
  });

  it('an even number of control-plane zones or nodes (etcd quorum)', () => {
    const message =
      'spec.etcdClusters[0].etcdMembers: Invalid value: 2: Should be an odd number of control-plane-zones for quorum. Use --zones and --control-plane-zones to declare node zones and control-plane zones separately';
    expect(() => built({ zones: ['us-east-1a', 'us-east-1b'], controlPlaneZones: ['us-east-1a', 'us-east-1b'] })).toThrow(message);
    expect(() => built({ controlPlaneCount: 2 })).toThrow(message);
    expect(() => built({ controlPlaneCount: 3 })).not.toThrow();
  });

  it('a region given as a zone', () => {
    expect(() => built({ zones: ['us-east-1'] })).toThrow('Region is not a recognized EC2 region: "us-east-" (check you have specified valid zones?)');
    expect(() => built({ configBase: 'gs://b/v.example.com', project: 'p', zones: ['us-central1'] })).toThrow('invalid GCE Zone: us-central1');
    expect(() => built({ cloud: 'azure', zones: ['eastus'] })).toThrow('invalid Azure zone: "eastus"');
  });

  it('*.k8s.local with public (or private) DNS: gossip was removed in kOps 1.37', () => {
    expect(() => built({ name: 'demo.k8s.local', configBase: 's3://b/demo.k8s.local', dns: 'public' })).toThrow(
      'spec.networking.topology.dns.type: Forbidden: gossip DNS support was removed in kOps 1.37',
    );
    expect(() => built({ name: 'demo.k8s.local', configBase: 's3://b/demo.k8s.local' })).not.toThrow();
  });

  it('the cluster name: a DNS subdomain of at most 253 characters, with a dot unless DNS is none', () => {
    expect(() => built({ name: 'demo', configBase: 's3://b/demo', dns: 'public' })).toThrow(
      'objectMeta.name: Invalid value: "demo": Cluster Name must be a fully-qualified DNS name (e.g. --name=mycluster.myzone.com)',
    );
    expect(() => built({ name: 'demo', configBase: 's3://b/demo' })).not.toThrow();
    const long = `${'a'.repeat(300)}.example.com`;
    expect(clusterNameErrors(long)).toEqual([
      `metadata.name: Invalid value: "${long}": must be no more than 253 characters`,
      `objectMeta.name: Invalid value: "${long}": Cluster Name must be a valid DNS name (e.g. --name=mycluster.myzone.com) errors: must be no more than 253 characters`,
    ]);
    expect(clusterNameErrors('Bad_Name.example.com')[0]).toMatch(/a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/);
  });

  it('rules the kops fixtures exercise', () => {
    expect(() => built({ bastion: true })).toThrow("bastion supports --topology='private' only");
    expect(() => built({ networking: 'kubenet', topology: 'private' })).toThrow('invalid networking option kubenet. Kubenet does not support private topology');
    expect(() => built({ apiServerCount: 1, env: {} })).toThrow('apiserver nodes requires the APIServerNodes feature flag to be enabled');
    expect(() => built({ instanceManager: 'karpenter' })).toThrow('karpenter requires --discovery-store');
    expect(() => built({ egress: 'nat-0123' })).toThrow('spec.networking.subnets[0].egress: Forbidden: egress can only be specified for private or IPv6-capable public subnets');
    expect(() => built({ discoveryStore: 'gs://bucket' })).not.toThrow();
    expect(() => built({ discoveryStore: 'https://example.com/oidc' })).toThrow(
      'spec.serviceAccountIssuerDiscovery.serviceAccountIssuerDiscovery.discoveryStore: Invalid value: "https://example.com/oidc/v.example.com": S3 is the only supported VFS for discoveryStore',
    );
    expect(() => built({ discoveryStore: 's3://my.bucket' })).toThrow('Bucket name cannot contain dots');
    expect(() => built({ networking: 'cilium-eni', configBase: 'gs://b/v.example.com', project: 'p', zones: ['us-central1-a'] })).toThrow(
      'spec.networking.cilium.ipam: Forbidden: Cilum ENI IPAM is supported only in AWS',
    );
    expect(() => built({ nodeTenancy: 'dedicated', nodeSizes: ['t2.medium'] })).toThrow('invalid dedicated instance type: t2.medium');
    expect(() => built({ sets: ['spec.networking.calico.bpfEnabled=true', 'spec.kubeProxy.enabled=true'], networking: 'calico' })).toThrow(
      'spec.kubeProxy.enabled: Forbidden: calico in BPF mode (spec.networking.calico.bpfEnabled=true) requires kubeProxy to be disabled',
    );
    expect(() => built({ sshAccess: ['10.0.0.1'] })).toThrow('spec.sshAccess[0]: Invalid value: "10.0.0.1": Could not be parsed as a CIDR (did you mean "10.0.0.1/32")');
    expect(() => built({ adminAccess: ['10.0.0.1/8'] })).toThrow('spec.kubernetesAPIAccess[0]: Invalid value: "10.0.0.1/8": Network contains bits outside prefix (did you mean "10.0.0.0/8")');
    expect(() => built({ sshAccess: ['pl-0123'], configBase: 'gs://b/v.example.com', project: 'p', zones: ['us-central1-a'] })).toThrow('Prefix List ID only supported for AWS');
    expect(() => built({ cloudLabels: 'KubernetesCluster=x' })).not.toThrow();
  });

  it('what an edit can break: CIDRs, subnets, etcd, groups, networking', () => {
    expect(errorsAfter((c) => (c.spec.networkCIDR = '10.0.0.0/33'))).toContain('spec.networking.networkCIDR: Invalid value: "10.0.0.0/33": Could not be parsed as a CIDR');
    expect(errorsAfter((c) => (c.spec.subnets![0]!.cidr = '10.9.0.0/24'))).toContain(
      'spec.networking.subnets[0].cidr: Forbidden: subnet "us-east-1a" cidr "10.9.0.0/24" is not a subnet of the networkCIDR "172.20.0.0/16"',
    );
    expect(errorsAfter((c) => c.spec.subnets!.push({ ...c.spec.subnets![0]! }))).toContain('spec.networking.subnets[1].name: Duplicate value: "us-east-1a"');
    expect(errorsAfter((c) => (c.spec.subnets![0]!.type = 'Shared' as never))).toContain(
      'spec.networking.subnets[0].type: Unsupported value: "Shared": supported values: "Public", "Private", "DualStack", "Utility"',
    );
    expect(errorsAfter((c) => (c.spec.nonMasqueradeCIDR = '172.20.0.0/12'))).toContain(
      'spec.networking.nonMasqueradeCIDR: Forbidden: nonMasqueradeCIDR "172.20.0.0/12" cannot overlap with networkCIDR "172.20.0.0/16"',
    );
    expect(errorsAfter((c) => c.spec.etcdClusters!.pop())).toContain('spec.etcdClusters[events]: Forbidden: EtcdClusters cannot be removed');
    expect(errorsAfter((c) => (c.spec.etcdClusters![0]!.name = 'extra'))).toContain(
      'spec.etcdClusters[0].name: Unsupported value: "extra": supported values: "cilium", "main", "events", "leases"',
    );
    expect(errorsAfter((c) => (c.spec.etcdClusters![0]!.version = '2.2.1'))).toContain('spec.etcdClusters[0].version: Invalid value: "2.2.1": unsupported storage version, we only support major version 3');
    expect(errorsAfter((c) => (c.spec.cloudLabels = { 'kops.k8s.io/owner': 'me' }))).toContain(
      'spec.cloudLabels.kops.k8s.io/owner: Forbidden: "kops.k8s.io/" is a reserved label prefix and cannot be used as a custom label',
    );
    expect(errorsAfter((c) => (c.spec.kubeProxy = { enabled: true }))).toContain('spec.kubeProxy.enabled: Forbidden: When Cilium NodePort is enabled, kubeProxy must be disabled');
    expect(errorsAfter((c) => (c.spec.networking = { calico: {}, cni: {} }))).toEqual([
      'spec.networking.calico: Forbidden: only one networking option permitted, found calico, cni',
      'spec.networking.cni: Forbidden: only one networking option permitted, found calico, cni',
    ]);
    expect(errorsAfter((c) => (c.spec.api = { loadBalancer: { type: 'Internal', class: 'Network' } }))).toContain(
      'spec.api.loadBalancer.type: Forbidden: Internal LoadBalancers must have at least one subnet of type Private',
    );
    expect(errorsAfter((c) => (c.spec.iam = { legacy: true }))).toContain('spec.iam.legacy: Forbidden: legacy IAM permissions are no longer supported');
    expect(errorsAfter((c) => (c.spec.gossipConfig = {}))).toContain('spec.gossipConfig: Forbidden: gossip DNS support was removed in kOps 1.37; remove this field from the cluster spec');
    expect(errorsAfter((_c, igs) => (igs[1]!.spec.subnets = ['nowhere']))).toEqual(['InstanceGroup nodes-us-east-1a: spec.networking.subnets[0]: Not found: "nowhere"']);
    expect(errorsAfter((_c, igs) => (igs[0]!.spec.maxSize = 2))).toContain(
      'InstanceGroup control-plane-us-east-1a: spec.maxSize: Invalid value: 2: controlPlane InstanceGroup must have maxSize set to 1, add more InstanceGroups instead',
    );
    expect(errorsAfter((_c, igs) => (igs[1]!.spec.minSize = 3))).toEqual(['InstanceGroup nodes-us-east-1a: spec.maxSize: Forbidden: maxSize must be greater than or equal to minSize.']);
    expect(errorsAfter((_c, igs) => (igs[1]!.spec.additionalSecurityGroups = ['default']))).toEqual([
      'InstanceGroup nodes-us-east-1a: spec.additionalSecurityGroups[0]: Invalid value: "default": security group does not match the expected AWS format',
    ]);
    expect(errorsAfter((c) => (c.spec.etcdClusters![0]!.etcdMembers![0]!.instanceGroup = 'other'))).toContain(
      'InstanceGroup control-plane-us-east-1a: spec.metadata.name: Forbidden: InstanceGroup "control-plane-us-east-1a" with role ControlPlane must have a member in etcd (IG: "other") cluster "main"',
    );
    expect(errorsAfter((_c, igs) => igs.splice(0, 1))).toEqual(['must configure at least one ControlPlane InstanceGroup']);
  });

  it('a value of the wrong type is refused before any rule reads it (kops fails to decode it)', () => {
    expect(errorsAfter((c) => (c.spec.subnets![0]!.zone = 5 as never))).toEqual(['spec.subnets[0].zone: Invalid value: 5: must be a string']);
    expect(errorsAfter((c) => (c.metadata.name = true as never))).toEqual(['metadata.name: Invalid value: true: must be a string']);
    expect(errorsAfter((_c, igs) => (igs[1]!.spec.subnets = 'us-east-1a' as never))).toEqual(['InstanceGroup nodes-us-east-1a: spec.subnets: Invalid value: "us-east-1a": must be a list']);
  });

  it('assertValidCluster names the object and lists every problem', () => {
    const { cluster, igs } = built();
    cluster.spec.kubernetesVersion = 'banana';
    expect(() => assertValidCluster(cluster, igs, { source: 'Cluster v.example.com' })).toThrow(
      'Cluster v.example.com is not valid:\n  spec.kubernetesVersion: Invalid value: "banana": unable to determine kubernetes version',
    );
  });
});
