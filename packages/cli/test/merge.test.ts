/**
 * The seeds' workflow on a file:// store through the built CLI: options given to `create cluster` on an
 * existing cluster are merged (only the mapped fields change; layout and comments stay); reshaping
 * options are refused; `set` keeps comments; eight concurrent `set` processes all land.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

let dir: string;
let state: string[];
const NAME = 'merge.example.com';
const file = (rel: string) => path.join(dir, NAME, rel);
const read = (rel: string) => readFileSync(file(rel), 'utf8');

beforeEach(async () => {
  dir = tempDir('statestore-merge-');
  state = ['--state', `file://${dir}`];
  const r = await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a,us-east-1b', '--cloud', 'aws', ...state]);
  expect(r.code, r.stderr).toBe(0);
});

function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { removed: a.filter((l) => !b.includes(l)), added: b.filter((l) => !a.includes(l)) };
}

describe('create cluster on an existing cluster merges', () => {
  it('--node-size changes only the nodes machineType; comments, other groups and the config stay', async () => {
    const nodes = 'instancegroup/nodes-us-east-1a';
    writeFileSync(file(nodes), `# owned by team infra\n${read(nodes).replace('role: Node', 'role: Node # workers')}`);
    const before = { config: read('config'), cp: read('instancegroup/control-plane-us-east-1a'), a: read(nodes), b: read('instancegroup/nodes-us-east-1b') };
    const r = await runCli(['create', 'cluster', NAME, '--node-size', 'm4.large', ...state]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Merged into cluster merge.example.com');
    expect(read('config')).toBe(before.config);
    expect(read('instancegroup/control-plane-us-east-1a')).toBe(before.cp);
    // an update stores the cluster label kops adds on read, as kops's get→update does
    const added = ['  generation: 1', '  labels:', `    kops.k8s.io/cluster: ${NAME}`, '  machineType: m4.large'];
    expect(changedLines(before.a, read(nodes))).toEqual({ removed: ['  machineType: t3.medium'], added });
    expect(changedLines(before.b, read('instancegroup/nodes-us-east-1b'))).toEqual({ removed: ['  machineType: t3.medium'], added });
    expect(read(nodes)).toContain('# owned by team infra\n');
    expect(read(nodes)).toContain('role: Node # workers');
  });

  it('re-running the original command with one value changed merges just that value', async () => {
    const before = read('config');
    const r = await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a,us-east-1b', '--cloud', 'aws', '--kubernetes-version', '1.35.4', ...state]);
    expect(r.code, r.stderr).toBe(0);
    expect(changedLines(before, read('config'))).toEqual({ removed: ['  kubernetesVersion: 1.36.3'], added: ['  generation: 1', '  kubernetesVersion: 1.35.4'] });
  });

  it('--node-count divides over the node groups', async () => {
    const r = await runCli(['create', 'cluster', NAME, '--node-count', '5', '-o', 'json', ...state]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cluster: NAME, action: 'merged' });
    expect(read('instancegroup/nodes-us-east-1a')).toContain('maxSize: 3\n  minSize: 3');
    expect(read('instancegroup/nodes-us-east-1b')).toContain('maxSize: 2\n  minSize: 2');
  });

  it('reshaping options are refused with a pointer to edit; nothing is written', async () => {
    const before = read('config');
    for (const args of [['--zones', 'us-east-1a'], ['--control-plane-count', '3'], ['--topology', 'private'], ['--network-cidr', '10.0.0.0/16'], ['--control-plane-zones', 'us-east-1b']]) {
      const r = await runCli(['create', 'cluster', NAME, ...args, '--node-size', 'm5.large', ...state]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`would reshape it: ${args[0]}`);
      expect(r.stderr).toContain(`statestore edit cluster ${NAME}`);
    }
    expect(read('config')).toBe(before);
    expect(read('instancegroup/nodes-us-east-1a')).toContain('machineType: t3.medium');
  });

  it('--dry-run shows the merged result without writing', async () => {
    const before = read('instancegroup/nodes-us-east-1a');
    const r = await runCli(['create', 'cluster', NAME, '--node-size', 'm4.large', '--dry-run', '-o', 'yaml', ...state]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('machineType: m4.large');
    expect(r.stdout.split('\n---\n\n')).toHaveLength(4);
    expect(read('instancegroup/nodes-us-east-1a')).toBe(before);
  });
});

describe('set cluster', () => {
  it('keeps comments and layout of everything it does not touch', async () => {
    const config = read('config').replace('  kubernetesVersion: 1.36.3', '  # pinned: see the upgrade plan\n  kubernetesVersion: 1.36.3 # LTS');
    writeFileSync(file('config'), `# cluster for the demo\n${config}`);
    const r = await runCli(['set', 'cluster', NAME, 'spec.kubelet.maxPods=150', ...state]);
    expect(r.code, r.stderr).toBe(0);
    const after = read('config');
    expect(after).toContain('# cluster for the demo\n');
    expect(after).toContain('  # pinned: see the upgrade plan\n  kubernetesVersion: 1.36.3 # LTS\n');
    expect(changedLines(`# cluster for the demo\n${config}`, after)).toEqual({ removed: [], added: ['  generation: 1', '    maxPods: 150'] });
  });

  it('eight concurrent set processes all land (compare-and-swap, no lost update)', async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => runCli(['set', 'cluster', NAME, `spec.nodePortAccess=10.${i}.0.0/16`, ...state])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const get = await runCli(['get', 'cluster', NAME, '-o', 'json', ...state]);
    const cluster = JSON.parse(get.stdout) as { metadata: { generation: number }; spec: { nodePortAccess: string[] } };
    expect([...cluster.spec.nodePortAccess].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `10.${i}.0.0/16`).sort());
    expect(cluster.metadata.generation).toBe(8);
  });

  it('refuses an unknown field (exit 1) and a missing assignment (exit 2)', async () => {
    expect((await runCli(['set', 'cluster', NAME, 'spec.noSuchThing=1', ...state])).stderr).toContain('field spec.noSuchThing not found in Cluster');
    expect((await runCli(['set', 'cluster', NAME, ...state])).code).toBe(2);
  });

  it('unset removes a field', async () => {
    await runCli(['set', 'cluster', NAME, 'spec.kubelet.maxPods=150', ...state]);
    const r = await runCli(['unset', 'cluster', NAME, 'spec.kubelet.maxPods', '-o', 'json', ...state]);
    expect(JSON.parse(r.stdout)).toEqual({ cluster: NAME, unset: ['spec.kubelet.maxPods'], generation: 2 });
    expect(read('config')).not.toContain('maxPods');
  });
});
