/**
 * The plan/apply engine on memfs (and on a wrapper driver that fails a chosen write, or hides
 * compare-and-swap): manifests in `get all` form planned against the store field by field, applied with
 * conditional writes, stale plans refused with nothing written, prune only when asked, validation before
 * the first write, and an apply stopped part-way resumed by applying the same plan again.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemfsBackend, PermissionDeniedError, pathForBackend, resolvePath, sha256Hex, type VfsPath, type WriteOptions } from '../../src/index.js';
import { ApplyIncompleteError, ClusterRegistry, StalePlanError, applyManifests, applyPlan, buildCluster, clusterDocuments, joinKopsDocuments, parsePlan, planCluster, readClusterState, readManifests, stringifyPlan, type ClusterPlan } from '../../src/config-entry.js';
import { DelegatingBackend } from '../delegating-backend.js';

const NAME = 'demo.example.com';
let store: VfsPath;

async function createCluster(root: VfsPath, name = NAME): Promise<void> {
  await new ClusterRegistry(root).createCluster(buildCluster({ name, configBase: `${root.toString()}/${name}`, cloud: 'aws', zones: ['us-east-1a', 'us-east-1b'] }));
}

/** What `get all C -o yaml` prints. */
async function getAll(root: VfsPath, name = NAME): Promise<string> {
  return joinKopsDocuments(clusterDocuments(await readClusterState(root, name)).map((d) => d.toString()));
}

const manifests = (text: string, cluster?: string) => readManifests([{ source: 'm.yaml', text }], cluster ? { cluster } : {});

/** Every file below the root and its sha256. */
async function snapshot(root: VfsPath): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await root.readTree()) out[f.relativeTo(root)!] = sha256Hex(await f.readFile());
  return out;
}

/** The manifest with one document's text edited. */
function edit(text: string, from: string | RegExp, to: string): string {
  const next = text.replace(from, to);
  expect(next, `edit ${String(from)}`).not.toBe(text);
  return next;
}

/** Drops the document that names `name`. */
function without(text: string, name: string): string {
  const docs = text.split('\n---\n\n');
  const kept = docs.filter((d) => !new RegExp(`\\n  name: ${name}\\n`).test(d));
  expect(kept.length).toBe(docs.length - 1);
  return kept.join('\n---\n\n');
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

const ADDON = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: kube-system
data:
  level: "3"
`;

beforeEach(async () => {
  store = await resolvePath(`memfs://plan-${randomUUID()}`);
  await createCluster(store);
});

describe('plan', () => {
  it('get all, planned back, shows no change: the cluster label and the filled configBase are how kops reads them', async () => {
    const text = await getAll(store);
    expect(text).toContain('kops.k8s.io/cluster: demo.example.com');
    expect(await store.join(NAME, 'instancegroup', 'nodes-us-east-1a').readText()).not.toContain('kops.k8s.io/cluster');
    const plan = await planCluster(store, manifests(text));
    expect(plan.changes).toEqual([]);
    expect(plan.instanceGroups).toEqual(['control-plane-us-east-1a', 'nodes-us-east-1a', 'nodes-us-east-1b']);
    expect(Object.keys(plan.read)).toEqual([
      `${NAME}/clusteraddons/default`,
      `${NAME}/config`,
      `${NAME}/instancegroup/control-plane-us-east-1a`,
      `${NAME}/instancegroup/nodes-us-east-1a`,
      `${NAME}/instancegroup/nodes-us-east-1b`,
    ]);
    expect(plan.documents.map((d) => d.source)).toEqual([1, 2, 3, 4].map((i) => `m.yaml (document ${i})`));
  });

  it('what kops adds on read is never a change: the cluster label (groups stored without it, manifests with or without it), an empty configBase', async () => {
    const config = store.join(NAME, 'config');
    const stored = await config.readText();
    await config.writeFile(stored.replace(/ {2}configBase: .*\n/, ''));
    expect(await config.readText()).not.toContain('configBase');
    const text = await getAll(store);
    expect(text).toContain(`configBase: ${store.toString()}/${NAME}`);
    const unlabelled = text.replaceAll('  labels:\n    kops.k8s.io/cluster: demo.example.com\n', '');
    expect(unlabelled).not.toContain('kops.k8s.io/cluster');
    expect((await planCluster(store, manifests(unlabelled))).changes).toEqual([]);
    expect((await planCluster(store, manifests(text))).changes).toEqual([]);
  });

  it('lists field-level changes, creates and (only with prune) deletes; the cluster is never deleted', async () => {
    let text = await getAll(store);
    text = edit(text, 'kubernetesVersion: 1.', 'kubernetesVersion: 9.');
    text = edit(text, /(name: nodes-us-east-1a\nspec:[\s\S]*?)maxSize: 1/, '$1maxSize: 5');
    text = without(text, 'nodes-us-east-1b');
    text = `${text}\n---\n\n${NEW_GROUP}\n---\n\n${ADDON}`;

    const kept = await planCluster(store, manifests(text));
    expect(kept.changes.map((c) => `${c.action} ${c.object}`)).toEqual([
      `change Cluster/${NAME}`,
      'create InstanceGroup/nodes-extra',
      'change InstanceGroup/nodes-us-east-1a',
      'change ClusterAddons/default',
    ]);
    expect(kept.changes[0]!.fields.map((f) => f.path)).toEqual(['spec.kubernetesVersion']);
    expect(kept.changes[2]!.fields).toEqual([{ path: 'spec.maxSize', kind: 'changed', from: 1, to: 5 }]);
    expect(kept.changes[3]!.objects).toEqual([{ object: 'ConfigMap kube-system/settings', kind: 'added', changes: [] }]);

    const pruned = await planCluster(store, manifests(without(text, NAME).replace(/^\n---\n\n/, '')), { prune: true });
    expect(pruned.changes.map((c) => `${c.action} ${c.object}`)).toEqual(['create InstanceGroup/nodes-extra', 'change InstanceGroup/nodes-us-east-1a', 'change ClusterAddons/default', 'delete InstanceGroup/nodes-us-east-1b']);
  });

  it('refuses manifests kops would refuse, before anything is planned or written', async () => {
    const before = await snapshot(store);
    const text = await getAll(store);
    // pruning away every control-plane group: kops's DeepValidate
    await expect(planCluster(store, manifests(without(text, 'control-plane-us-east-1a')), { prune: true })).rejects.toThrow(/must configure at least one ControlPlane InstanceGroup/);
    await expect(planCluster(store, manifests(edit(text, 'cloudProvider: aws', 'cloudProvider: nimbus')))).rejects.toThrow(/spec.cloudProvider: Unsupported value: "nimbus"/);
    const scheduler = `apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nmetadata:\n  name: s\nclientConnection:\n  kubeconfig: /tmp/x\n`;
    await expect(planCluster(store, manifests(`${text}\n---\n${scheduler}`))).rejects.toThrow(/clientConnection.kubeconfig: Invalid value: "\/tmp\/x": value is controlled by kOps/);
    expect(await snapshot(store)).toEqual(before);
  });

  it('reads JSON (get all -o json) as well as YAML, and stores JSON documents in kops YAML form', async () => {
    const objects = clusterDocuments(await readClusterState(store, NAME)).map((d) => d.toJS());
    expect((await planCluster(store, manifests(JSON.stringify(objects)))).changes).toEqual([]);
    const extra = readManifests([{ source: 'g.json', text: JSON.stringify({ ...parseYamlObject(NEW_GROUP) }) }], { cluster: NAME });
    const plan = await planCluster(store, extra);
    expect(plan.changes[0]!.write).toMatch(/^apiVersion: kops.k8s.io\/v1alpha2\nkind: InstanceGroup\nmetadata:\n {2}creationTimestamp: "/);
  });

  it('names the document at fault: two clusters, a group of another cluster, a duplicate, a keyset', () => {
    const cluster = (name: string) => `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${name}\nspec: {}\n`;
    expect(() => manifests(`${cluster('a.example.com')}---\n${cluster('b.example.com')}`)).toThrow(/2 Cluster documents .*plan one cluster at a time/);
    expect(() => manifests(`${cluster(NAME)}---\n${NEW_GROUP.replace(`cluster: ${NAME}`, 'cluster: other.example.com')}`)).toThrow(/m.yaml \(document 2\): the InstanceGroup is labelled kops.k8s.io\/cluster: other.example.com/);
    expect(() => manifests(`${NEW_GROUP}---\n${NEW_GROUP}`)).toThrow(/InstanceGroup nodes-extra appears twice in the manifests \(m.yaml \(document 1\) and m.yaml \(document 2\)\)/);
    expect(() => manifests(`apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nmetadata:\n  name: kubernetes-ca\n`, NAME)).toThrow(/kind "Keyset" is not handled by plan and apply/);
    expect(() => manifests(cluster(NAME), 'other.example.com')).toThrow(/the Cluster is demo.example.com, but the manifests are applied to cluster other.example.com/);
    // names become keys of the store: refused before any path is built
    expect(() => manifests(NEW_GROUP.replace('name: nodes-extra', 'name: ../config'))).toThrow(/m.yaml \(document 1\): metadata.name: Invalid value: "..\/config": the InstanceGroup name must be a DNS-1123 subdomain/);
  });

  it('a plan file round-trips; a damaged one is refused naming the field', async () => {
    const plan = await planCluster(store, manifests(`${await getAll(store)}\n---\n\n${NEW_GROUP}`));
    expect(parsePlan(stringifyPlan(plan), 'plan.json')).toEqual(plan);
    const damaged = JSON.parse(stringifyPlan(plan)) as ClusterPlan;
    delete (damaged.changes[0] as { write?: string }).write;
    expect(() => parsePlan(JSON.stringify(damaged), 'plan.json')).toThrow(/plan.json is not a Statestore plan file: changes\[0\]: write must be the text to write/);
    expect(() => parsePlan('{"format":"terraform"}', 'plan.json')).toThrow(/format is "terraform"/);
  });
});

function parseYamlObject(text: string): Record<string, unknown> {
  return readManifests([{ source: 'x', text }], { cluster: NAME }).instanceGroups[0]!.doc.toJS();
}

describe('apply', () => {
  it('writes exactly the plan; generation is bumped on a spec change; planning again shows no change', async () => {
    let text = await getAll(store);
    text = edit(text, 'kubernetesVersion: 1.', 'kubernetesVersion: 9.');
    text = `${without(text, 'nodes-us-east-1b')}\n---\n\n${NEW_GROUP}\n---\n\n${ADDON}`;
    const plan = await planCluster(store, manifests(text), { prune: true });
    const report = await applyPlan(store, plan, { message: 'grow the nodes' });
    expect(report.applied.map((w) => `${w.action} ${w.object}`)).toEqual([
      `change Cluster/${NAME}`,
      'create InstanceGroup/nodes-extra',
      'change ClusterAddons/default',
      'delete InstanceGroup/nodes-us-east-1b',
    ]);
    expect(report.message).toBe('grow the nodes');
    const state = await readClusterState(store, NAME);
    expect(state.listing).toEqual(['control-plane-us-east-1a', 'nodes-extra', 'nodes-us-east-1a']);
    expect(state.config!.object.metadata.generation).toBe(1);
    expect(state.config!.object.spec.kubernetesVersion).toMatch(/^9\./);
    expect(state.addons!.text).toBe(`apiVersion: v1\ndata:\n  level: "3"\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: kube-system\n`);
    expect((await planCluster(store, manifests(text), { prune: true })).changes).toEqual([]);
    expect((await planCluster(store, manifests(await getAll(store)))).changes).toEqual([]);
  });

  it('creates a cluster the store does not hold: config, groups and an empty clusteraddons/default, as kops writes them', async () => {
    const text = await getAll(store);
    const other = await resolvePath(`memfs://plan-${randomUUID()}`);
    const { report } = await applyManifests(other, manifests(text.replaceAll(store.toString(), other.toString())));
    expect(report.applied.map((w) => `${w.action} ${w.object}`)).toEqual([
      `create Cluster/${NAME}`,
      'create InstanceGroup/control-plane-us-east-1a',
      'create InstanceGroup/nodes-us-east-1a',
      'create InstanceGroup/nodes-us-east-1b',
      'create ClusterAddons/default',
    ]);
    expect(await other.join(NAME, 'clusteraddons/default').readText()).toBe('');
    expect(await getAll(other)).toBe(text.replaceAll(store.toString(), other.toString()));
  });

  it('refuses a stale plan naming what moved (changed, added, removed), and writes nothing', async () => {
    const registry = new ClusterRegistry(store);
    const plan = await planCluster(store, manifests(edit(await getAll(store), 'kubernetesVersion: 1.', 'kubernetesVersion: 9.')));
    await registry.updateInstanceGroup(NAME, 'nodes-us-east-1a', (doc) => doc.setIn(['spec', 'maxSize'], 7));
    await store.join(NAME, 'instancegroup', 'nodes-sneaky').writeFile(NEW_GROUP.replace('nodes-extra', 'nodes-sneaky'));
    await store.join(NAME, 'instancegroup', 'nodes-us-east-1b').remove();
    const before = await snapshot(store);
    const error = await applyPlan(store, plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as StalePlanError).code).toBe('Conflict');
    expect((error as StalePlanError).moved.map((m) => `${m.change} ${m.key}`)).toEqual([
      `added ${NAME}/instancegroup/nodes-sneaky`,
      `changed ${NAME}/instancegroup/nodes-us-east-1a`,
      `removed ${NAME}/instancegroup/nodes-us-east-1b`,
    ]);
    expect((error as Error).message).toMatch(/is stale: the store changed since the plan was made .*so nothing was written:\n {2}added: InstanceGroup\/nodes-sneaky/);
    expect(await snapshot(store)).toEqual(before);
  });

  it('a plan for another store is refused', async () => {
    const plan = await planCluster(store, manifests(await getAll(store)));
    const other = await resolvePath(`memfs://plan-${randomUUID()}`);
    await expect(applyPlan(other, plan)).rejects.toThrow(/the plan was made for the state store memfs:\/\/plan-/);
  });

  it('validates every planned document before the first write (a plan file edited after review)', async () => {
    const plan = await planCluster(store, manifests(`${await getAll(store)}\n---\n\n${NEW_GROUP}`));
    const before = await snapshot(store);
    const tampered: ClusterPlan = { ...plan, changes: plan.changes.map((c) => ({ ...c, write: c.write!.replace('role: Node', 'role: Wizard') })) };
    await expect(applyPlan(store, tampered)).rejects.toThrow(/Cluster demo.example.com is not valid:\n {2}InstanceGroup nodes-extra: spec.role: Unsupported value: "Wizard"/);
    expect(await snapshot(store)).toEqual(before);
  });

  it('runs inside the lease hook, once, with every read and write inside it', async () => {
    const backend = new DelegatingBackend(new MemfsBackend());
    const root = pathForBackend(backend, 'state');
    await createCluster(root);
    const text = `${await getAll(root)}\n---\n\n${NEW_GROUP}`;
    const held: string[] = [];
    const before: string[] = [];
    let inside: string[] = [];
    backend.calls = [];
    const { report } = await applyManifests(root, manifests(text), {
      withLease: async (cluster, fn) => {
        held.push(cluster);
        before.push(...backend.calls);
        try {
          return await fn();
        } finally {
          inside = backend.calls.splice(0);
        }
      },
    });
    expect(held).toEqual([NAME]);
    expect(before).toEqual([]);
    expect(inside).toContain(`read state/${NAME}/config`);
    expect(inside).toContain(`write state/${NAME}/instancegroup/nodes-extra`);
    expect(backend.calls).toEqual([]);
    expect(report.applied.map((w) => w.object)).toEqual(['InstanceGroup/nodes-extra']);
  });
});

/** Fails the writes and deletes of chosen keys with PermissionDenied (as a bucket policy would), until cleared. */
class FailingBackend extends DelegatingBackend {
  failing = new Set<string>();
  override async write(key: string, body: Parameters<DelegatingBackend['write']>[1], options?: WriteOptions) {
    if (this.failing.has(key)) throw new PermissionDeniedError(`Access denied writing ${key}`);
    return super.write(key, body, options);
  }
  override delete(key: string, options?: { ifMatch?: string }) {
    if (this.failing.has(key)) return Promise.reject(new PermissionDeniedError(`Access denied deleting ${key}`));
    return super.delete(key, options);
  }
}

describe('a failure between two writes', () => {
  it('reports what landed, what failed and what was not written; applying the same plan again finishes it', async () => {
    const backend = new FailingBackend(new MemfsBackend());
    const root = pathForBackend(backend, 'state');
    await createCluster(root);
    let text = edit(await getAll(root), 'kubernetesVersion: 1.', 'kubernetesVersion: 9.');
    text = `${without(text, 'nodes-us-east-1b')}\n---\n\n${NEW_GROUP}`;
    const plan = await planCluster(root, manifests(text), { prune: true });
    backend.failing.add(`state/${NAME}/instancegroup/nodes-extra`);

    const error = await applyPlan(root, plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyIncompleteError);
    const { report } = error as ApplyIncompleteError;
    expect((error as ApplyIncompleteError).code).toBe('PermissionDenied');
    expect(report.landed.map((w) => w.object)).toEqual([`Cluster/${NAME}`]);
    expect(report.failed).toMatchObject({ object: 'InstanceGroup/nodes-extra', action: 'create', outcome: 'not-applied' });
    expect(report.notAttempted.map((w) => `${w.action} ${w.object}`)).toEqual(['delete InstanceGroup/nodes-us-east-1b']);
    expect((error as Error).message).toMatch(/stopped part-way: 1 of 3 writes landed\.\n {2}landed: {6}change Cluster\/demo.example.com \(demo.example.com\/config\)\n {2}failed: {6}create InstanceGroup\/nodes-extra .*Access denied.*\n {2}not written: delete InstanceGroup\/nodes-us-east-1b .*\nTo resume, apply the same plan again/);
    expect(await root.join(NAME, 'instancegroup', 'nodes-us-east-1b').exists()).toBe(true);

    backend.failing.clear();
    const resumed = await applyPlan(root, plan);
    expect(resumed.alreadyApplied.map((w) => w.object)).toEqual([`Cluster/${NAME}`]);
    expect(resumed.applied.map((w) => `${w.action} ${w.object}`)).toEqual(['create InstanceGroup/nodes-extra', 'delete InstanceGroup/nodes-us-east-1b']);
    expect((await planCluster(root, manifests(text), { prune: true })).changes).toEqual([]);
  });

  it('a resumed plan is still refused when someone else moved an object meanwhile', async () => {
    const backend = new FailingBackend(new MemfsBackend());
    const root = pathForBackend(backend, 'state');
    await createCluster(root);
    const text = `${edit(await getAll(root), 'kubernetesVersion: 1.', 'kubernetesVersion: 9.')}\n---\n\n${NEW_GROUP}`;
    const plan = await planCluster(root, manifests(text));
    backend.failing.add(`state/${NAME}/instancegroup/nodes-extra`);
    await expect(applyPlan(root, plan)).rejects.toBeInstanceOf(ApplyIncompleteError);
    backend.failing.clear();
    await new ClusterRegistry(root).updateCluster(NAME, (doc) => doc.setIn(['spec', 'kubernetesVersion'], '1.99.0'));
    const error = (await applyPlan(root, plan).catch((e: unknown) => e)) as StalePlanError;
    expect(error.moved.map((m) => `${m.change} ${m.object}`)).toEqual([`changed Cluster/${NAME}`]);
    expect(await root.join(NAME, 'instancegroup', 'nodes-extra').exists()).toBe(false);
  });
});

/** A driver narrowed as OSS is: atomic create, but neither compare-and-swap nor conditional delete. */
class CreateOnlyBackend extends DelegatingBackend {
  override get capabilities() {
    return Object.freeze({ ...this.inner.capabilities, compareAndSwap: false, conditionalDelete: false });
  }
  override async write(key: string, body: Parameters<DelegatingBackend['write']>[1], options: WriteOptions = {}) {
    if (options.ifMatch !== undefined) throw new Error('compare-and-swap sent to a backend without it');
    return super.write(key, body, options);
  }
  override delete(key: string, options?: { ifMatch?: string }) {
    if (options?.ifMatch !== undefined) return Promise.reject(new Error('conditional delete sent to a backend without it'));
    return super.delete(key, options);
  }
}

describe('a backend without compare-and-swap or conditional delete', () => {
  it('applies by checking the version just before each write and delete', async () => {
    const root = pathForBackend(new CreateOnlyBackend(new MemfsBackend()), 'state');
    await createCluster(root);
    const text = `${without(edit(await getAll(root), 'kubernetesVersion: 1.', 'kubernetesVersion: 9.'), 'nodes-us-east-1b')}\n---\n\n${NEW_GROUP}`;
    const { report } = await applyManifests(root, manifests(text), { prune: true });
    expect(report.applied).toHaveLength(3);
    expect((await planCluster(root, manifests(text), { prune: true })).changes).toEqual([]);
  });
});
