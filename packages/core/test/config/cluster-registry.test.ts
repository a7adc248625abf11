import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/config/build-cluster.js';
import { ClusterRegistry } from '../../src/config/cluster-registry.js';
import { assertNoReshaping, mergeClusterOptions, mergeInstanceGroupOptions } from '../../src/config/cluster-merge.js';
import { STATESTORE_COMPLETED_SPEC_MARKER, completeStoreSpec, isWrittenByStatestore } from '../../src/config/completed-spec.js';
import type { KopsCluster } from '../../src/config/kops-model.js';
import { setFields } from '../../src/config/set-fields.js';
import { MemfsBackend } from '../../src/backends/memfs/memfs-backend.js';
import { pathForBackend, resolvePath } from '../../src/resolve.js';
import type { VfsPath } from '../../src/path/vfs-path.js';
import { DelegatingBackend } from '../delegating-backend.js';

let store: VfsPath;
let registry: ClusterRegistry;
beforeEach(async () => {
  store = await resolvePath(`memfs://registry-${randomUUID()}`);
  registry = new ClusterRegistry(store);
});

const create = async (name = 'demo.example.com', extra: Record<string, unknown> = {}) =>
  registry.createCluster(buildCluster({ name, configBase: `${store.toString()}/${name}`, cloud: 'aws', zones: ['us-east-1a', 'us-east-1b'], ...extra }));

describe('ClusterRegistry', () => {
  it('writes kops layout: config, instancegroup/*, clusteraddons/default; lists and reads back', async () => {
    await create();
    const files = (await store.readTree()).map((p) => p.relativeTo(store)).sort();
    expect(files).toEqual([
      'demo.example.com/clusteraddons/default',
      'demo.example.com/config',
      'demo.example.com/instancegroup/control-plane-us-east-1a',
      'demo.example.com/instancegroup/nodes-us-east-1a',
      'demo.example.com/instancegroup/nodes-us-east-1b',
    ]);
    expect(await registry.listClusterNames()).toEqual(['demo.example.com']);
    const igs = await registry.listInstanceGroups('demo.example.com');
    expect(igs.map((g) => g.name)).toEqual(['control-plane-us-east-1a', 'nodes-us-east-1a', 'nodes-us-east-1b']);
    await expect(create()).rejects.toThrow(/already exists/);
    await expect(registry.getCluster('missing.example.com')).rejects.toThrow(/cluster not found/);
  });

  it('lists only first-level folders holding a config: one delimited listing, a stat per folder, never the rest of the store', async () => {
    const backend = new DelegatingBackend(new MemfsBackend());
    const root = pathForBackend(backend, 'state');
    const cluster = (name: string) => `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${name}\nspec: {}\n`;
    await root.join('b.example.com', 'config').writeFile(cluster('b.example.com'));
    await root.join('a.example.com', 'config').writeFile(cluster('a.example.com'));
    for (let i = 0; i < 40; i++) await root.join('a.example.com', 'pki', 'issued', `key-${i}`).writeFile('k');
    // Not clusters: a nested folder with a config (an archive, a copy), a folder without one, the reserved prefix.
    await root.join('archive', 'old.example.com', 'config').writeFile(cluster('old.example.com'));
    await root.join('notes', 'readme.txt').writeFile('hello');
    await root.join('.statestore', 'leases', 'a.example.com').writeFile('{}');
    backend.calls = [];

    const registry = new ClusterRegistry(root);
    expect(await registry.listClusterNames()).toEqual(['a.example.com', 'b.example.com']);
    expect(backend.calls.filter((c) => c.startsWith('list '))).toEqual(['list state/ delimiter=/']);
    expect(backend.calls.filter((c) => c.startsWith('stat ')).sort()).toEqual(['stat state/a.example.com/config', 'stat state/archive/config', 'stat state/b.example.com/config', 'stat state/notes/config']);
    const { clusters, warnings } = await registry.listClusters();
    expect(clusters.map((c) => c.name)).toEqual(['a.example.com', 'b.example.com']);
    expect(warnings).toEqual([]);
  });

  it('16 concurrent read-modify-writes all land (compare-and-swap), generation counts them', async () => {
    await create();
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => registry.updateCluster('demo.example.com', (doc) => setFields(doc, 'Cluster', [`spec.nodePortAccess=10.${i}.0.0/16`]))),
    );
    const { cluster } = await registry.getCluster('demo.example.com');
    expect(new Set(cluster.spec.nodePortAccess as string[]).size).toBe(16);
    expect(cluster.metadata.generation).toBe(16);
  });

  it('refuses an invalid edit and leaves the stored file alone', async () => {
    await create();
    const before = await store.join('demo.example.com/config').readText();
    await expect(registry.updateCluster('demo.example.com', (doc) => doc.setIn(['spec', 'kubernetesVersion'], 'banana'))).rejects.toThrow(/kubernetesVersion/);
    await expect(registry.updateCluster('demo.example.com', (doc) => doc.setIn(['spec', 'etcdClusters'], []))).rejects.toThrow(/EtcdClusters cannot be removed/);
    expect(await store.join('demo.example.com/config').readText()).toBe(before);
  });

  it('delete: kops allow-list, refusing on unknown files', async () => {
    await create();
    await store.join('demo.example.com/pki/private/ca/keyset.yaml').writeFile('x');
    await store.join('demo.example.com/notes.txt').writeFile('mine');
    await expect(registry.deleteCluster('demo.example.com')).rejects.toThrow(/unknown file found: .*notes.txt/);
    expect(await store.join('demo.example.com/config').exists()).toBe(true);
    await store.join('demo.example.com/notes.txt').remove();
    const plan = await registry.deleteCluster('demo.example.com');
    expect(plan.files.length).toBe(6);
    expect(await store.readTree()).toEqual([]);
  });

  it('spec.configBase can never be vault:// (create, set, edit), and the stored file is left alone', async () => {
    await expect(create('v.example.com', { sets: ['spec.configBase=vault://127.0.0.1:8200/kv/kops/v?tls=false'] })).rejects.toThrow(
      /vault:\/\/127\.0\.0\.1:8200\/kv\/kops\/v\?tls=false cannot be spec\.configBase of cluster v\.example\.com: vault:\/\/ holds a cluster's secrets and keys only/,
    );
    expect(await registry.listClusterNames()).toEqual([]);
    await create('w.example.com');
    const before = await store.join('w.example.com', 'config').readText();
    await expect(registry.updateCluster('w.example.com', (doc) => setFields(doc, 'Cluster', ['spec.configBase=VAULT://vault:8200/kv/kops/w']))).rejects.toThrow(/cannot be spec\.configBase/);
    expect(await store.join('w.example.com', 'config').readText()).toBe(before);
  });

  it('vault:// secret stores must be unique among clusters and not the state store', async () => {
    await create('a.example.com', { sets: ['spec.secretStore=vault://vault:8200/secret/kops/a'] });
    await expect(create('b.example.com', { sets: ['spec.secretStore=vault://vault:8200/secret/kops/a'] })).rejects.toThrow(/unique among the clusters/);
    await expect(create('c.example.com', { sets: ['spec.keyStore=vault://vault:8200/secret/kops/a/pki'] })).rejects.toThrow(/overlaps/);
    await create('d.example.com', { sets: ['spec.secretStore=vault://vault:8200/secret/kops/d'] });
    await expect(registry.updateCluster('d.example.com', (doc) => doc.setIn(['spec', 'keyStore'], `vault://${store.toString().replace('memfs://', '')}`))).rejects.toThrow(/equals the state store/);
  });
});

describe('merge on re-create', () => {
  it('--node-size changes only the nodes machineType (and stores the cluster label, as every kops update does), comments and layout kept', async () => {
    await create();
    const path = store.join('demo.example.com/instancegroup/nodes-us-east-1a');
    await path.writeFile(`# hand-tuned\n${(await path.readText()).replace('role: Node', 'role: Node # workers')}`);
    const before = await path.readText();
    for (const ig of await registry.listInstanceGroups('demo.example.com')) {
      await registry.updateInstanceGroup('demo.example.com', ig.name, (doc) => mergeInstanceGroupOptions(doc, { nodeSizes: ['m4.large'] }, { cloud: 'aws' }));
    }
    const after = await path.readText();
    expect(after).toContain('# hand-tuned');
    expect(before).not.toContain('kops.k8s.io/cluster');
    expect(after.replace('  generation: 1\n', '').replace('machineType: m4.large', 'machineType: t3.medium')).toBe(
      before.replace('  name: nodes-us-east-1a', '  labels:\n    kops.k8s.io/cluster: demo.example.com\n  name: nodes-us-east-1a'),
    );
    const cp = (await registry.getInstanceGroup('demo.example.com', 'control-plane-us-east-1a')).instanceGroup;
    expect(cp.spec.machineType).toBe('t3.medium');
  });

  it('refuses reshaping options that differ, accepts equal ones', async () => {
    await create();
    const { cluster } = await registry.getCluster('demo.example.com');
    const igs = (await registry.listInstanceGroups('demo.example.com')).map((g) => g.instanceGroup);
    expect(() => assertNoReshaping(cluster, igs, { zones: ['us-east-1a', 'us-east-1b'], controlPlaneCount: 1, topology: 'public', networkCidrs: ['172.20.0.0/16'] })).not.toThrow();
    expect(() => assertNoReshaping(cluster, igs, { zones: ['us-east-1a'] })).toThrow(/--zones.*statestore edit cluster demo.example.com/s);
    expect(() => assertNoReshaping(cluster, igs, { controlPlaneCount: 3, topology: 'private' })).toThrow(/--control-plane-count 3 \(stored: 1\); --topology private/);
  });

  it('value options on the cluster change just their fields', async () => {
    await create();
    const stored = await registry.getCluster('demo.example.com');
    const doc = stored.doc.clone();
    mergeClusterOptions(doc, { kubernetesVersion: '1.35.2', networking: 'calico', adminAccess: ['10.0.0.0/8'] });
    const after = doc.toJS() as unknown as KopsCluster;
    expect(after.spec.kubernetesVersion).toBe('1.35.2');
    expect(after.spec.networking).toEqual({ calico: {} });
    expect(after.spec.kubeProxy).toBeUndefined();
    expect(after.spec.kubernetesApiAccess).toEqual(['10.0.0.0/8']);
    expect({ ...after.spec, kubernetesVersion: 0, networking: 0, kubeProxy: 0, kubernetesApiAccess: 0 }).toEqual({ ...stored.doc.toJS().spec as object, kubernetesVersion: 0, networking: 0, kubeProxy: 0, kubernetesApiAccess: 0 });
  });
});

describe('completed spec (store fields)', () => {
  it('fills configBase, keyStore, secretStore and etcd backup stores; recognises the partial specs earlier releases wrote', async () => {
    await create();
    const { cluster } = await registry.getCluster('demo.example.com');
    const done = completeStoreSpec(cluster, `${store.toString()}/demo.example.com`);
    const base = `${store.toString()}/demo.example.com`;
    expect(done.spec).toMatchObject({ configBase: base, keyStore: `${base}/pki`, secretStore: `${base}/secrets`, kubernetesVersion: '1.36.3' });
    expect(done.spec.etcdClusters!.map((e) => e.backups?.backupStore)).toEqual([`${base}/backups/etcd/main`, `${base}/backups/etcd/events`]);
    expect(isWrittenByStatestore(`${STATESTORE_COMPLETED_SPEC_MARKER}\napiVersion: kops.k8s.io/v1alpha2\n`)).toBe(true);
    expect(isWrittenByStatestore('apiVersion: kops.k8s.io/v1alpha2\n')).toBe(false);
  });
});
