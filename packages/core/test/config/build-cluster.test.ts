import { describe, expect, it } from 'vitest';
import { buildCluster, type BuildClusterOptions } from '../../src/config/build-cluster.js';
import type { KopsCluster, KopsInstanceGroup } from '../../src/config/kops-model.js';
import { trimCommonPrefix } from '../../src/config/new-cluster-groups.js';

const now = new Date('2024-05-06T07:08:09.999Z');
function build(options: Partial<BuildClusterOptions>) {
  const built = buildCluster({ name: 'demo.example.com', configBase: 's3://bucket/demo.example.com', zones: ['us-east-1a'], now, ...options });
  return { cluster: built.cluster.toJS() as unknown as KopsCluster, igs: built.instanceGroups.map((d) => d.toJS() as unknown as KopsInstanceGroup), built };
}

describe('create cluster defaults (kops NewCluster + PerformAssignments)', () => {
  it('a one-zone AWS cluster from an s3:// store', () => {
    const { cluster, igs } = build({});
    expect(cluster.metadata).toEqual({ creationTimestamp: '2024-05-06T07:08:09Z', name: 'demo.example.com' });
    expect(cluster.spec).toMatchObject({
      cloudProvider: 'aws',
      channel: 'stable',
      kubernetesVersion: '1.36.3',
      networkCIDR: '172.20.0.0/16',
      nonMasqueradeCIDR: '100.64.0.0/10',
      networking: { cilium: { enableNodePort: true } },
      kubeProxy: { enabled: false },
      subnets: [{ name: 'us-east-1a', zone: 'us-east-1a', cidr: '172.20.0.0/16', type: 'Public' }],
      api: { loadBalancer: { type: 'Public', class: 'Network' } },
      topology: { dns: { type: 'None' } },
    });
    expect(igs.map((g) => [g.metadata.name, g.spec.role, g.spec.machineType, g.spec.minSize])).toEqual([
      ['control-plane-us-east-1a', 'Master', 't3.medium', 1],
      ['nodes-us-east-1a', 'Node', 't3.medium', 1],
    ]);
    expect(igs[0]!.spec.image).toMatch(/ubuntu-noble-24.04-amd64/);
  });

  it('guesses the cloud from the store scheme, and refuses when it cannot', () => {
    expect(build({ configBase: 'gs://b/demo.example.com', zones: ['us-central1-a'], project: 'p' }).cluster.spec.cloudProvider).toBe('gce');
    expect(() => build({ configBase: 'gs://b/demo.example.com', zones: ['us-central1-a'] })).toThrow(/project is required for GCE/);
    expect(build({ configBase: 's3://b/x', env: { HCLOUD_TOKEN: 't' }, zones: ['fsn1'] }).cluster.spec.cloudProvider).toBe('hetzner');
    expect(() => build({ configBase: '/tmp/state/demo.example.com', zones: ['fsn1'] })).toThrow(/--cloud/);
    const local = build({ configBase: '/tmp/state/demo.example.com' });
    expect(local.cluster.spec.cloudProvider).toBe('aws');
    expect(local.built.notices).toEqual([expect.stringMatching(/from the zone names/)]);
    expect(build({ configBase: '/tmp/state/demo.example.com', cloud: 'aws' }).cluster.spec.configBase).toBe('/tmp/state/demo.example.com');
  });

  it('private topology adds utility subnets (sharing one block cut in eight) and an API load balancer', () => {
    const { cluster } = build({ zones: ['us-east-1a', 'us-east-1b'], topology: 'private', networking: 'calico' });
    expect(cluster.spec.subnets).toEqual([
      { cidr: '172.20.64.0/18', name: 'us-east-1a', type: 'Private', zone: 'us-east-1a' },
      { cidr: '172.20.128.0/18', name: 'us-east-1b', type: 'Private', zone: 'us-east-1b' },
      { cidr: '172.20.0.0/21', name: 'utility-us-east-1a', type: 'Utility', zone: 'us-east-1a' },
      { cidr: '172.20.8.0/21', name: 'utility-us-east-1b', type: 'Utility', zone: 'us-east-1b' },
    ]);
    expect(cluster.spec.api).toEqual({ loadBalancer: { class: 'Network', type: 'Public' } });
    expect(cluster.spec.kubeProxy).toBeUndefined();
  });

  it('divides nodes over zones, remainder first; sizes and mixed instances', () => {
    const { igs } = build({ zones: ['a-1a', 'a-1b', 'a-1c'], cloud: 'aws', configBase: 'memfs://x/demo.example.com', nodeCount: 5, nodeSizes: ['m5.large', 'm5a.large'], controlPlaneSizes: ['c5.large'] });
    const nodes = igs.filter((g) => g.spec.role === 'Node');
    expect(nodes.map((g) => g.spec.minSize)).toEqual([2, 2, 1]);
    expect(nodes[0]!.spec.mixedInstancesPolicy).toEqual({ instances: ['m5.large', 'm5a.large'] });
    expect(igs[0]!.spec.machineType).toBe('c5.large');
  });

  it('applies --unset then --set before assignments, and validates', () => {
    const { cluster } = build({ sets: ['spec.networking.networkCIDR=10.10.0.0/16', 'spec.kubernetesVersion=1.35.1'] });
    expect(cluster.spec.networkCIDR).toBe('10.10.0.0/16');
    expect(cluster.spec.subnets![0]!.cidr).toBe('10.10.0.0/16');
    expect(() => build({ sets: ['spec.kubernetesVersion=not-a-version'] })).toThrow(/kubernetesVersion/);
    expect(() => build({ name: 'Bad_Name' })).toThrow(/DNS/);
  });

  it('names etcd members as kops does', () => {
    expect(trimCommonPrefix(['us-test-1a', 'us-test-1b'])).toEqual(['a', 'b']);
    expect(trimCommonPrefix(['us-test1-1', 'us-test1-2'])).toEqual(['etcd-1', 'etcd-2']);
    expect(trimCommonPrefix(['us-east-1a'])).toEqual(['a']);
  });
});
