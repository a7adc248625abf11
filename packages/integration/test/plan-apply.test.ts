/**
 * GitOps for cluster state (issue 22) end to end, through the built CLI on real servers — file://, a stock
 * MinIO and fake-gcs-server: `get all -o yaml` planned back shows no change (also on a store kops wrote);
 * plan/apply creates, changes and prunes exactly what the manifests say and nothing else; the exit codes of
 * `plan` with and without `--detailed-exitcode`; a stale plan refused with the store byte-identical
 * afterwards; and a failure injected between two writes — by a wrapper driver at library level, by a fault
 * proxy in front of MinIO at CLI level — reported with what landed, then resumed by applying again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PermissionDeniedError, pathForBackend, type Backend, type VfsPath, type WriteBody, type WriteOptions } from '@statestore/core';
import { ApplyIncompleteError, applyPlan, joinKopsDocuments, planCluster, readManifests, splitKopsDocuments, KopsYamlDocument } from '@statestore/core/config';
import { startFaultProxy } from '@statestore/testkit/fault-proxy';
import { describe, expect, inject, it } from 'vitest';
import { statestore, type User } from './cli.js';
import { newGcsBucket, newS3Bucket, open, tempDir, treeHashes } from './helpers.js';

const NAME = 'gitops.example.com';
const ZONES = ['--zones', 'us-east-1a,us-east-1b', '--cloud', 'aws'];
const KOPS_FIXTURE = path.resolve(import.meta.dirname, '../../cli/test/fixtures/kops/minimal-1.35.expected-v1alpha2.yaml');

type Kind = 'file' | 's3' | 'gs';
const KINDS: Kind[] = ['file', 's3', 'gs'];

async function newStore(kind: Kind): Promise<string> {
  if (kind === 'file') return `file://${tempDir('gitops-state')}`;
  if (kind === 's3') return `s3://${await newS3Bucket('gitops')}/kops`;
  return `gs://${await newGcsBucket('gitops')}/kops`;
}

const newUser = (): User => ({ home: tempDir('home'), cwd: tempDir('cwd'), env: { STORAGE_EMULATOR_HOST: inject('fakeGcs').endpoint } });

/** Runs the CLI and returns its result; `expected` is the exit code it must have. */
async function run(user: User, args: string[], expected: number) {
  const r = await statestore(user, args);
  expect(r.code, `statestore ${args.join(' ')}\n${r.stderr}`).toBe(expected);
  return r;
}

/** The manifest with documents edited by name, dropped, and added. */
function editManifest(text: string, change: { edit?: Record<string, (doc: KopsYamlDocument) => void>; drop?: string[]; add?: string[] }): string {
  const docs = splitKopsDocuments(text).map((section, i) => KopsYamlDocument.parse(section, `document ${i + 1}`));
  const kept = docs.filter((d) => !change.drop?.includes(d.name ?? ''));
  expect(kept.length).toBe(docs.length - (change.drop?.length ?? 0));
  for (const d of kept) change.edit?.[d.name ?? '']?.(d);
  return joinKopsDocuments([...kept.map((d) => d.toString()), ...(change.add ?? [])]);
}

const NEW_GROUP = `apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  labels:
    kops.k8s.io/cluster: ${NAME}
  name: nodes-extra
spec:
  machineType: t3.large
  maxSize: 2
  minSize: 2
  role: Node
  subnets:
  - us-east-1a
`;

/** Files no plan may ever touch (and `get all` never prints): a keyset and a secret, as kops stores them. */
const KEYS_AND_SECRETS = {
  'pki/private/kubernetes-ca/keyset.yaml': 'apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nmetadata:\n  name: kubernetes-ca\nspec:\n  keys:\n  - id: "1"\n    privateMaterial: LS0tLS1CRUdJTiBQUklWQVRF\n',
  'secrets/admin': '{"Data":"c3VwZXItc2VjcmV0LXRva2Vu"}',
};

/** Writes `files` under the cluster's folder. */
async function writeClusterFiles(state: string, cluster: string, files: Record<string, string>): Promise<void> {
  const folder = (await open(state)).join(cluster);
  for (const [key, text] of Object.entries(files)) await folder.join(key).writeFile(text);
}

describe.each(KINDS)('on %s', (kind) => {
  it('plan and apply create, change and prune exactly what the manifests say; exit codes with and without --detailed-exitcode', async () => {
    const user = newUser();
    const state = await newStore(kind);
    const s = ['--state', state];
    await run(user, ['create', 'cluster', NAME, ...ZONES, ...s], 0);
    await writeClusterFiles(state, NAME, KEYS_AND_SECRETS);
    const folder = (await open(state)).join(NAME);

    const all = await run(user, ['get', 'all', NAME, '-o', 'yaml', ...s], 0);
    expect(all.stdout).not.toMatch(/Keyset|privateMaterial|c3VwZXItc2VjcmV0/);
    const manifest = path.join(user.cwd, 'm.yaml');
    writeFileSync(manifest, all.stdout);
    expect((await run(user, ['plan', '-f', manifest, '--detailed-exitcode', ...s], 0)).stdout).toContain('No changes');
    await run(user, ['plan', '-f', manifest, ...s], 0);

    writeFileSync(
      manifest,
      editManifest(all.stdout, {
        edit: { [NAME]: (d) => d.setIn(['spec', 'kubernetesVersion'], '1.34.1'), 'nodes-us-east-1a': (d) => d.setIn(['spec', 'maxSize'], 3) },
        drop: ['nodes-us-east-1b'],
        add: [NEW_GROUP],
      }),
    );
    const kept = await run(user, ['plan', '-f', manifest, '--detailed-exitcode', ...s], 2);
    expect(kept.stdout).toContain('~ spec.kubernetesVersion:');
    expect(kept.stdout).toContain('      ~ spec.maxSize: 1 → 3');
    expect(kept.stdout).toContain('Not in the manifests, kept (--prune deletes them): InstanceGroup/nodes-us-east-1b');
    expect(kept.stdout).toContain('Plan: 1 to create, 2 to change, 0 to delete.');
    expect((await run(user, ['plan', '-f', manifest, ...s], 0)).stdout).toContain('Plan: 1 to create, 2 to change, 0 to delete.');
    // errors: 1 with or without --detailed-exitcode; a usage error: 2, but 1 with it (2 means "changes" there)
    await run(user, ['plan', '-f', path.join(user.cwd, 'missing.yaml'), '--detailed-exitcode', ...s], 1);
    await run(user, ['plan', '-f', path.join(user.cwd, 'missing.yaml'), ...s], 1);
    await run(user, ['plan', '--bogus', '-f', manifest, ...s], 2);
    await run(user, ['plan', '--bogus', '-f', manifest, '--detailed-exitcode', ...s], 1);

    const planFile = path.join(user.cwd, 'plan.json');
    const pruned = await run(user, ['plan', '-f', manifest, '--prune', '-o', planFile, '--detailed-exitcode', ...s], 2);
    expect(pruned.stdout).toContain('  - InstanceGroup/nodes-us-east-1b');
    const saved = JSON.parse(readFileSync(planFile, 'utf8')) as { store: string; cluster: string; read: Record<string, unknown>; instanceGroups: string[]; documents: unknown[] };
    expect(saved).toMatchObject({ cluster: NAME, instanceGroups: ['control-plane-us-east-1a', 'nodes-us-east-1a', 'nodes-us-east-1b'] });
    expect(saved.read[`${NAME}/instancegroup/nodes-extra`]).toBe('absent');
    expect(saved.documents).toHaveLength(4);

    const before = await treeHashes(folder);
    const applied = await run(user, ['apply', planFile, '-m', 'grow nodes-us-east-1a', ...s], 0);
    expect(applied.stdout).toContain('Apply complete: 1 created, 2 changed, 1 deleted.');
    const after = await treeHashes(folder);
    const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]).sort();
    expect(changed).toEqual(['config', 'instancegroup/nodes-extra', 'instancegroup/nodes-us-east-1a', 'instancegroup/nodes-us-east-1b']);
    expect(after['instancegroup/nodes-us-east-1b']).toBeUndefined();
    expect(await folder.join('config').readText()).toContain('kubernetesVersion: 1.34.1');
    await run(user, ['plan', '-f', manifest, '--prune', '--detailed-exitcode', ...s], 0);

    // apply -f without --yes shows the plan and writes nothing; with --yes it applies
    writeFileSync(manifest, editManifest(readFileSync(manifest, 'utf8'), { edit: { 'nodes-extra': (d) => d.setIn(['spec', 'maxSize'], 4) } }));
    const preview = await run(user, ['apply', '-f', manifest, ...s], 0);
    expect(preview.stdout).toContain('~ spec.maxSize: 2 → 4');
    expect(await treeHashes(folder)).toEqual(after);
    await run(user, ['apply', '-f', manifest, '--yes', ...s], 0);
    expect(await folder.join('instancegroup/nodes-extra').readText()).toContain('maxSize: 4');
    await run(user, ['plan', '-f', manifest, '--detailed-exitcode', ...s], 0);
  });

  it('a stale plan is refused naming what moved, and the store is byte-identical afterwards', async () => {
    const user = newUser();
    const state = await newStore(kind);
    const s = ['--state', state];
    await run(user, ['create', 'cluster', NAME, ...ZONES, ...s], 0);
    const all = await run(user, ['get', 'all', NAME, '-o', 'yaml', ...s], 0);
    const manifest = path.join(user.cwd, 'm.yaml');
    writeFileSync(manifest, editManifest(all.stdout, { edit: { [NAME]: (d) => d.setIn(['spec', 'kubernetesVersion'], '1.34.1') } }));
    const planFile = path.join(user.cwd, 'plan.json');
    await run(user, ['plan', '-f', manifest, '-o', planFile, ...s], 0);

    // someone else changes a group the plan does not touch, and adds one
    await run(user, ['edit', 'ig', 'nodes-us-east-1b', '--name', NAME, '--set', 'spec.maxSize=5', ...s], 0);
    await run(user, ['create', 'ig', 'nodes-late', '--name', NAME, '--subnet', 'us-east-1a', '--no-edit', ...s], 0);
    const folder = (await open(state)).join(NAME);
    const before = await treeHashes(folder);
    const refused = await run(user, ['apply', planFile, ...s], 1);
    expect(refused.stderr).toContain('is stale: the store changed since the plan was made');
    expect(refused.stderr).toContain(`added: InstanceGroup/nodes-late (${NAME}/instancegroup/nodes-late)`);
    expect(refused.stderr).toContain(`changed: InstanceGroup/nodes-us-east-1b (${NAME}/instancegroup/nodes-us-east-1b)`);
    expect(refused.stderr).toContain('so nothing was written');
    expect(await treeHashes(folder)).toEqual(before);
  });

  it('a store kops wrote (groups without the cluster label, addon objects, keys, secrets) round-trips with no change', async () => {
    const user = newUser();
    const state = await newStore(kind);
    const s = ['--state', state];
    const [cluster, ...groups] = splitKopsDocuments(readFileSync(KOPS_FIXTURE, 'utf8'));
    const name = KopsYamlDocument.parse(cluster!, 'fixture').name!;
    const addons = [
      'apiVersion: v1\ndata:\n  level: "3"\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: kube-system\n',
      'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nmetadata:\n  name: scheduler\nprofiles:\n- schedulerName: default-scheduler\n',
    ];
    const files: Record<string, string> = {
      config: cluster!.replaceAll('memfs://tests', state.replace(/^file:\/\//, '')),
      // kops's vfsAddonsClient: each object's YAML joined by "\n---\n\n"
      'clusteraddons/default': addons.join('\n---\n\n'),
      'cluster-completed.spec': 'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\n',
      'kops-version.txt': '1.35.0',
      ...KEYS_AND_SECRETS,
    };
    for (const g of groups) {
      const doc = KopsYamlDocument.parse(g, 'fixture group');
      files[`instancegroup/${doc.name}`] = `${g.replace(/ {2}labels:\n {4}kops\.k8s\.io\/cluster: .*\n/, '').trimEnd()}\n`;
    }
    expect(Object.values(files).join('\n')).not.toContain('kops.k8s.io/cluster: ');
    await writeClusterFiles(state, name, files);

    const all = await run(user, ['get', 'all', name, '-o', 'yaml', ...s], 0);
    expect(all.stdout).toContain(`kops.k8s.io/cluster: ${name}`);
    expect(all.stdout).toContain('kind: KubeSchedulerConfiguration');
    expect(all.stdout).not.toMatch(/Keyset|privateMaterial|c3VwZXItc2VjcmV0/);
    const manifest = path.join(user.cwd, 'm.yaml');
    writeFileSync(manifest, all.stdout);
    const folder = (await open(state)).join(name);
    const before = await treeHashes(folder);
    expect((await run(user, ['plan', '-f', manifest, '--detailed-exitcode', ...s], 0)).stdout).toContain('No changes');
    const json = await run(user, ['get', 'all', name, '-o', 'json', ...s], 0);
    writeFileSync(manifest.replace('.yaml', '.json'), json.stdout);
    await run(user, ['plan', '-f', manifest.replace('.yaml', '.json'), '--detailed-exitcode', ...s], 0);
    await run(user, ['apply', '-f', manifest, '--prune', '--yes', ...s], 0);
    expect(await treeHashes(folder)).toEqual(before);
  });
});

/** Fails the writes of the keys in `failing` with PermissionDenied, as a bucket policy would. */
class FailingBackend implements Backend {
  readonly failing = new Set<string>();
  constructor(private readonly inner: Backend) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  settleCapabilities(options?: { signal?: AbortSignal; key?: string }) {
    return this.inner.settleCapabilities ? this.inner.settleCapabilities(options) : Promise.resolve(this.inner.capabilities);
  }
  urlFor(key: string) {
    return this.inner.urlFor(key);
  }
  stat(key: string, options?: { signal?: AbortSignal }) {
    return this.inner.stat(key, options);
  }
  read(key: string, options?: Parameters<Backend['read']>[1]) {
    return this.inner.read(key, options);
  }
  write(key: string, body: WriteBody, options?: WriteOptions) {
    if (this.failing.has(key)) return Promise.reject(new PermissionDeniedError(`Access denied: ${this.inner.urlFor(key)}`));
    return this.inner.write(key, body, options);
  }
  delete(key: string, options?: Parameters<Backend['delete']>[1]) {
    return this.inner.delete(key, options);
  }
  list(prefix: string, options?: Parameters<Backend['list']>[1]) {
    return this.inner.list(prefix, options);
  }
}

describe('a failure injected between two writes', () => {
  it.each(['s3', 'gs'] as const)('library, %s: a wrapper driver fails the second write; the report says what landed; applying the same plan again finishes', async (kind) => {
    const user = newUser();
    const state = await newStore(kind);
    await run(user, ['create', 'cluster', NAME, ...ZONES, '--state', state], 0);
    const opened = await open(state);
    const backend = new FailingBackend(opened.backend);
    const store: VfsPath = pathForBackend(backend, opened.key);
    const all = await run(user, ['get', 'all', NAME, '-o', 'yaml', '--state', state], 0);
    const text = editManifest(all.stdout, { edit: { [NAME]: (d) => d.setIn(['spec', 'kubernetesVersion'], '1.34.1') }, drop: ['nodes-us-east-1b'], add: [NEW_GROUP] });
    const plan = await planCluster(store, readManifests([{ source: 'm.yaml', text }]), { prune: true });
    expect(plan.changes.map((c) => `${c.action} ${c.object}`)).toEqual([`change Cluster/${NAME}`, 'create InstanceGroup/nodes-extra', 'delete InstanceGroup/nodes-us-east-1b']);

    backend.failing.add(`${opened.key}/${NAME}/instancegroup/nodes-extra`);
    const error = (await applyPlan(store, plan).catch((e: unknown) => e)) as ApplyIncompleteError;
    expect(error).toBeInstanceOf(ApplyIncompleteError);
    expect(error.report.landed.map((w) => w.object)).toEqual([`Cluster/${NAME}`]);
    expect(error.report.failed).toMatchObject({ object: 'InstanceGroup/nodes-extra', outcome: 'not-applied' });
    expect(error.report.notAttempted.map((w) => w.object)).toEqual(['InstanceGroup/nodes-us-east-1b']);
    expect(await opened.join(NAME, 'config').readText()).toContain('kubernetesVersion: 1.34.1');
    expect(await opened.join(NAME, 'instancegroup/nodes-us-east-1b').exists()).toBe(true);

    backend.failing.clear();
    const resumed = await applyPlan(store, plan);
    expect(resumed.alreadyApplied.map((w) => w.object)).toEqual([`Cluster/${NAME}`]);
    expect(resumed.applied.map((w) => w.object)).toEqual(['InstanceGroup/nodes-extra', 'InstanceGroup/nodes-us-east-1b']);
    expect((await planCluster(store, readManifests([{ source: 'm.yaml', text }]), { prune: true })).changes).toEqual([]);
  });

  it('CLI, MinIO behind a fault proxy that fails one write: the report names what landed and the resume command, which finishes the apply', async () => {
    const minio = inject('minio');
    const bucket = await newS3Bucket('gitops-fault');
    const state = `s3://${bucket}/kops`;
    const target = `/${bucket}/kops/${NAME}/instancegroup/nodes-extra`;
    const proxy = await startFaultProxy({ target: minio.endpoint, seed: 22, rates: { error500: 1 }, eligible: (req) => req.method === 'PUT' && (req.url ?? '').split('?')[0] === target });
    try {
      const user = { ...newUser(), s3Endpoint: proxy.url };
      const s = ['--state', state];
      await run(user, ['create', 'cluster', NAME, ...ZONES, ...s], 0);
      const all = await run(user, ['get', 'all', NAME, '-o', 'yaml', ...s], 0);
      const manifest = path.join(user.cwd, 'm.yaml');
      writeFileSync(manifest, editManifest(all.stdout, { edit: { [NAME]: (d) => d.setIn(['spec', 'kubernetesVersion'], '1.34.1') }, drop: ['nodes-us-east-1b'], add: [NEW_GROUP] }));
      const planFile = path.join(user.cwd, 'plan.json');
      await run(user, ['plan', '-f', manifest, '--prune', '-o', planFile, ...s], 0);

      const failed = await run(user, ['apply', planFile, ...s], 1);
      expect(proxy.counts.error500).toBeGreaterThan(0);
      expect(failed.stderr).toContain('stopped part-way: 1 of 3 writes landed.');
      expect(failed.stderr).toContain(`  landed:      change Cluster/${NAME} (${NAME}/config)`);
      expect(failed.stderr).toMatch(/ {2}failed: {6}create InstanceGroup\/nodes-extra .*\(it may or may not have landed\)/);
      expect(failed.stderr).toContain(`  not written: delete InstanceGroup/nodes-us-east-1b (${NAME}/instancegroup/nodes-us-east-1b)`);
      expect(failed.stderr).toContain(`Resume with: statestore apply ${planFile}`);

      proxy.setEnabled(false);
      const resumed = await run(user, ['apply', planFile, ...s], 0);
      expect(resumed.stdout).toContain(`Already written by an earlier run of this plan:\n  ~ Cluster/${NAME} changed`);
      expect(resumed.stdout).toContain('Apply complete: 1 created, 0 changed, 1 deleted.');
      await run(user, ['plan', '-f', manifest, '--prune', '--detailed-exitcode', ...s], 0);
    } finally {
      await proxy.close();
    }
  });
});
