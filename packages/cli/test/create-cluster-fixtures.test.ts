/**
 * What `statestore create cluster` writes equals what kops writes for the same flags: kops's own
 * tests/integration/create_cluster/<case>/expected-v1alpha2.yaml (see fixtures/kops/README.md).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KopsYamlDocument, resetMemfs, resolvePath } from '@statestore/core';
import { FIXTURES, runCli, runInProcess } from './helpers.js';

interface KopsTestOptions {
  ClusterName: string;
  Zones?: string[];
  ControlPlaneZones?: string[];
  ControlPlaneCount?: number;
  CloudProvider?: string;
  Networking?: string;
  KubernetesVersion?: string;
  NetworkCIDRs?: string[];
  NodeCount?: number;
  SSHAccess?: string[];
  Sets?: string[];
  Project?: string;
  Image?: string;
}

/** The CLI flags for one kops test case (sizes are the mock clouds' machine types). */
function flagsFor(testCase: string): { name: string; flags: string[] } {
  const o = KopsYamlDocument.parse(readFileSync(path.join(FIXTURES, `${testCase}.options.yaml`), 'utf8'), testCase).toJS() as unknown as KopsTestOptions;
  const flags: string[] = [];
  const add = (flag: string, value: string | number | undefined) => value !== undefined && flags.push(flag, String(value));
  add('--zones', o.Zones?.join(','));
  add('--control-plane-zones', o.ControlPlaneZones?.join(','));
  add('--control-plane-count', o.ControlPlaneCount);
  add('--cloud', o.CloudProvider);
  add('--networking', o.Networking);
  add('--kubernetes-version', o.KubernetesVersion);
  for (const cidr of o.NetworkCIDRs ?? []) add('--network-cidr', cidr);
  add('--node-count', o.NodeCount);
  add('--ssh-access', o.SSHAccess?.join(','));
  for (const s of o.Sets ?? []) add('--set', s);
  add('--project', o.Project);
  add('--image', o.Image);
  const sizes: Record<string, [string, string]> = { aws: ['m3.medium', 't2.medium'], openstack: ['n1-standard-1', 'n1-standard-1'] };
  const size = sizes[o.CloudProvider ?? ''];
  if (size) flags.push('--control-plane-size', size[0], '--node-size', size[1]);
  return { name: o.ClusterName, flags };
}

const fixture = (testCase: string) => readFileSync(path.join(FIXTURES, `${testCase}.expected-v1alpha2.yaml`), 'utf8');
const fixTimestamps = (text: string) => text.replace(/creationTimestamp: "[^"]+"/g, 'creationTimestamp: "2017-01-01T00:00:00Z"');

describe('create cluster writes what kops writes', () => {
  for (const testCase of ['minimal-1.35', 'ha', 'ha_shared_zones', 'complex', 'minimal-gce', 'ha_openstack']) {
    it(`${testCase}: the stored config and instancegroup/* equal kops's expected-v1alpha2.yaml`, async () => {
      resetMemfs();
      const { name, flags } = flagsFor(testCase);
      const result = await runInProcess(['create', 'cluster', name, ...flags, '--state', 'memfs://tests']);
      expect(result.stderr).toBe('Nothing was created in any cloud. Review with: statestore get cluster ' + name + ' -o yaml; change with: statestore edit cluster ' + name + '\n');
      expect(result.code).toBe(0);
      const folder = await resolvePath(`memfs://tests/${name}`);
      const igs = (await folder.join('instancegroup').readDir()).map((e) => e.name).sort();
      const texts = [await folder.join('config').readText(), ...(await Promise.all(igs.map((ig) => folder.join('instancegroup', ig).readText())))];
      expect(fixTimestamps(texts.join('\n---\n\n'))).toBe(fixture(testCase));
      expect(await folder.join('clusteraddons/default').readText()).toBe('');
    });
  }

  it('the built CLI prints the same objects with --dry-run -o yaml (nothing written)', async () => {
    const { name, flags } = flagsFor('ha');
    const result = await runCli(['create', 'cluster', name, ...flags, '--state', 'memfs://tests', '--dry-run', '-o', 'yaml']);
    expect(result.code).toBe(0);
    const docs = fixTimestamps(result.stdout).split('\n---\n\n');
    const expected = fixture('ha').split('\n---\n\n');
    expect(docs[0]).toBe(expected[0]);
    expect([...docs].sort()).toEqual([...expected].sort());
  });

  it('--dry-run -o json prints a JSON array of the objects', async () => {
    const { name, flags } = flagsFor('minimal-1.35');
    const result = await runCli(['create', 'cluster', name, ...flags, '--state', 'memfs://tests', '--dry-run', '-o', 'json']);
    expect(result.code).toBe(0);
    const objects = JSON.parse(result.stdout) as { kind: string; metadata: { name: string } }[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Cluster/minimal.example.com', 'InstanceGroup/control-plane-us-test-1a', 'InstanceGroup/nodes-us-test-1a']);
  });
});
