import { describe, expect, it } from 'vitest';
import { KopsYamlDocument } from '../../src/config/kops-yaml.js';
import { setFields, splitSetFlag, unsetFields } from '../../src/config/set-fields.js';
import { formatGoDuration, parseGoDuration } from '../../src/config/go-duration.js';

const cluster = (spec: Record<string, unknown> = {}) => KopsYamlDocument.fromObject({ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name: 'c.example.com' }, spec });
const specOf = (doc: KopsYamlDocument) => (doc.toJS() as { spec: Record<string, unknown> }).spec;

describe('set (kops pkg/commands/set_cluster_test.go cases)', () => {
  const cases: [string[], Record<string, unknown>, Record<string, unknown>][] = [
    [['spec.kubernetesVersion=v1.2.3'], {}, { kubernetesVersion: 'v1.2.3' }],
    [['spec.kubelet.authorizationMode=Webhook'], {}, { kubelet: { authorizationMode: 'Webhook' } }],
    [['spec.kubelet.authenticationTokenWebhook=false'], {}, { kubelet: { authenticationTokenWebhook: false } }],
    [['spec.api.publicName=api.example.com'], {}, { masterPublicName: 'api.example.com' }],
    [['spec.masterPublicName=api.example.com'], {}, { masterPublicName: 'api.example.com' }],
    [['spec.kubeDNS.provider=CoreDNS'], {}, { kubeDNS: { provider: 'CoreDNS' } }],
    [['cluster.spec.nodePortAccess=10.0.0.0/8,192.168.0.0/16'], {}, { nodePortAccess: ['10.0.0.0/8', '192.168.0.0/16'] }],
    [
      ['cluster.spec.etcdClusters[*].version=v3.2.1'],
      { etcdClusters: [{ name: 'one', version: 'v2.0.0' }, { name: 'two' }] },
      { etcdClusters: [{ name: 'one', version: 'v3.2.1' }, { name: 'two', version: 'v3.2.1' }] },
    ],
    [['cluster.spec.networking.cilium.ipam=on'], {}, { networking: { cilium: { ipam: 'on' } } }],
    [['cluster.spec.networking.cilium.enableNodePort=true', 'cluster.spec.kubeProxy.enabled=true'], {}, { networking: { cilium: { enableNodePort: true } }, kubeProxy: { enabled: true } }],
    [['cluster.spec.networking.cilium.agentPrometheusPort=1234'], {}, { networking: { cilium: { agentPrometheusPort: 1234 } } }],
    [['spec.networking.networkCIDR=10.0.0.0/16', 'spec.networking.topology.dns=Public'], {}, { networkCIDR: '10.0.0.0/16', topology: { dns: { type: 'Public' } } }],
    [['spec.addons[0].manifest=https://example.com/addon.yaml'], {}, { addons: [{ manifest: 'https://example.com/addon.yaml' }] }],
    [['spec.api.dns='], { api: { loadBalancer: { type: 'Public' } } }, { api: { loadBalancer: { type: 'Public' }, dns: {} } }],
    [['spec.cloudLabels=team=infra', 'spec.cloudLabels=owner=me'], {}, { cloudLabels: { team: 'infra', owner: 'me' } }],
    [['spec.kubelet.shutdownGracePeriod=90s'], {}, { kubelet: { shutdownGracePeriod: '1m30s' } }],
  ];
  for (const [fields, input, output] of cases) {
    it(fields.join(' '), () => {
      const doc = cluster(input);
      setFields(doc, 'Cluster', fields);
      expect(specOf(doc)).toEqual(output);
    });
  }

  it('appends to an existing list instead of replacing it', () => {
    const doc = cluster({ sshAccess: ['1.2.3.4/32'] });
    setFields(doc, 'Cluster', ['spec.sshAccess=5.6.7.8/32']);
    expect(specOf(doc).sshAccess).toEqual(['1.2.3.4/32', '5.6.7.8/32']);
  });

  it('refuses unknown fields, bad values and a missing =', () => {
    expect(() => setFields(cluster(), 'Cluster', ['spec.noSuchField=1'])).toThrow(/field spec.noSuchField not found in Cluster/);
    expect(() => setFields(cluster(), 'Cluster', ['spec.kubelet.anonymousAuth=maybe'])).toThrow(/as bool/);
    expect(() => setFields(cluster(), 'Cluster', ['spec.kubernetesVersion'])).toThrow(/unhandled field/);
    expect(() => setFields(cluster(), 'Cluster', ['spec.etcdClusters[3].name=x'])).toThrow(/not found/);
  });

  it('keeps comments of untouched fields', () => {
    const doc = KopsYamlDocument.parse('apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: c\nspec:\n  # pinned on purpose\n  kubernetesVersion: 1.30.0\n', 't');
    setFields(doc, 'Cluster', ['spec.channel=alpha']);
    expect(doc.toString()).toContain('  # pinned on purpose\n  kubernetesVersion: 1.30.0');
  });

  it('instance groups take their own paths, internal names included', () => {
    const ig = KopsYamlDocument.fromObject({ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'InstanceGroup', metadata: { name: 'nodes' }, spec: { role: 'Node' } });
    setFields(ig, 'InstanceGroup', ['spec.maxSize=10', 'spec.rollingUpdate.maxUnavailable=50%', 'instancegroup.spec.rootVolume.size=64']);
    expect((ig.toJS() as { spec: unknown }).spec).toEqual({ role: 'Node', maxSize: 10, rollingUpdate: { maxUnavailable: '50%' }, rootVolumeSize: 64 });
  });
});

describe('unset', () => {
  it('removes optional fields, zeroes fields kops always writes, keeps list lengths', () => {
    const doc = cluster({ kubernetesVersion: '1.30.0', iam: { legacy: true, allowContainerRegistry: true }, etcdClusters: [{ name: 'a', version: '3' }, { name: 'b' }] });
    unsetFields(doc, 'Cluster', ['spec.kubernetesVersion', 'spec.iam.legacy', 'spec.etcdClusters[*].version']);
    expect(specOf(doc)).toEqual({ iam: { legacy: false, allowContainerRegistry: true }, etcdClusters: [{ name: 'a' }, { name: 'b' }] });
  });
});

describe('--set flag splitting (CSV with lazy quotes)', () => {
  it('splits on unquoted commas and keeps quoted ones', () => {
    expect(splitSetFlag('spec.a=1,spec.b=2')).toEqual(['spec.a=1', 'spec.b=2']);
    expect(splitSetFlag('"spec.sshAccess=1.2.3.4/32,5.6.7.8/32"')).toEqual(['spec.sshAccess=1.2.3.4/32,5.6.7.8/32']);
    expect(splitSetFlag('spec.x=a"b')).toEqual(['spec.x=a"b']);
  });
});

describe('Go durations', () => {
  it('parses and prints as Go does', () => {
    expect(formatGoDuration(parseGoDuration('90s'))).toBe('1m30s');
    expect(formatGoDuration(parseGoDuration('1m'))).toBe('1m0s');
    expect(formatGoDuration(parseGoDuration('1.5h'))).toBe('1h30m0s');
    expect(formatGoDuration(parseGoDuration('500ms'))).toBe('500ms');
    expect(() => parseGoDuration('5 minutes')).toThrow(/duration/);
  });
});
