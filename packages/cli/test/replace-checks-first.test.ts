/**
 * `replace -f … --force` checks every document before the first write: a new instance group or a new
 * cluster that is invalid, an instance group of a cluster that exists nowhere, or an edit kops refuses
 * (an etcd cluster removed) anywhere in the files leaves the store byte for byte as it was. A new cluster
 * and its instance groups arrive together, in any order in the file.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

const NAME = 'replace.example.com';
let dir: string;
let state: string[];
let cluster: string;
let nodes: string;

beforeEach(async () => {
  dir = tempDir('statestore-replace-');
  state = ['--state', `file://${dir}`];
  const created = await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...state]);
  expect(created.code, created.stderr).toBe(0);
  cluster = (await runCli(['get', 'cluster', NAME, '-o', 'yaml', ...state])).stdout;
  nodes = (await runCli(['get', 'ig', 'nodes-us-east-1a', '--name', NAME, '-o', 'yaml', ...state])).stdout;
});

function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

async function replace(documents: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const file = path.join(tempDir(), 'objects.yaml');
  writeFileSync(file, documents.join('\n---\n'));
  return runCli(['replace', '-f', file, '--force', ...state]);
}

const newGroup = (name: string, spec: string, clusterName = NAME) =>
  `apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: ${name}\n  labels:\n    kops.k8s.io/cluster: ${clusterName}\nspec:\n${spec}`;
const changedCluster = () => cluster.replace(/kubernetesVersion: .*/, 'kubernetesVersion: 1.35.0');

describe('replace -f --force writes nothing unless every document is valid', () => {
  it.each([
    ['a new instance group with an unknown role', () => newGroup('extra', '  role: Banana\n  minSize: 1\n  maxSize: 1\n'), 'spec.role'],
    ['a new instance group in a subnet the cluster lacks', () => newGroup('extra', '  role: Node\n  subnets:\n  - nowhere-1z\n'), 'nowhere-1z'],
    ['a new cluster that is invalid', () => cluster.replaceAll(NAME, 'other.example.com').replace(/kubernetesVersion: .*/, 'kubernetesVersion: banana'), 'spec.kubernetesVersion'],
    ['an instance group of a cluster that exists nowhere', () => newGroup('extra', '  role: Node\n', 'ghost.example.com'), 'ghost.example.com'],
  ])('%s after a valid change', async (_case, second, named) => {
    const before = snapshot(dir);
    const r = await replace([changedCluster(), second()]);
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stderr).toContain(named);
    expect(snapshot(dir)).toEqual(before);
  });

  it('an edit kops refuses (an etcd cluster removed) after a valid instance group change', async () => {
    const before = snapshot(dir);
    const withoutEvents = cluster.replace(/\n {2}- cpuRequest: 100m\n(?: {4}.*\n)*? {4}name: events/, '');
    expect(withoutEvents).not.toBe(cluster);
    const r = await replace([nodes.replace('maxSize: 1', 'maxSize: 3'), withoutEvents]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EtcdClusters cannot be removed');
    expect(snapshot(dir)).toEqual(before);
  });

  it('a new cluster arrives with its instance groups, even when they come first in the file', async () => {
    const other = 'other.example.com';
    const r = await replace([
      nodes.replaceAll(NAME, other),
      cluster.replaceAll(NAME, other),
      (await runCli(['get', 'ig', 'control-plane-us-east-1a', '--name', NAME, '-o', 'yaml', ...state])).stdout.replaceAll(NAME, other),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`InstanceGroup nodes-us-east-1a (cluster ${other}) created\nCluster ${other} created\nInstanceGroup control-plane-us-east-1a (cluster ${other}) created\n`);
    const igs = await runCli(['get', 'ig', '--name', other, ...state]);
    expect(igs.stdout).toContain('control-plane-us-east-1a');
    expect(igs.stdout).toContain('nodes-us-east-1a');
  });
});
