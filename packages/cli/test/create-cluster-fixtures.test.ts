/**
 * What `statestore create cluster --dry-run -o yaml` prints equals what kops's own create_cluster
 * integration test expects for the same options: all 38 of kops's tests/integration/create_cluster
 * fixtures (fixtures/kops/README.md), run through the built CLI with each fixture's options mapped onto
 * flags as kops's harness maps them, kops's mock-cloud answers passed where kops would ask the cloud.
 * The fixtures that need kops's mock cloud for more than that are listed in NEEDS_MOCK_CLOUD with the
 * reason and what Statestore does instead; the test fails when a fixture joins or leaves that list.
 */
import { describe, expect, it } from 'vitest';
import { resetMemfs, resolvePath } from '@statestore/core';
import { runCli, runInProcess } from './helpers.js';
import { CASES, NEEDS_MOCK_CLOUD, commandFor, fixture } from './kops-fixtures.js';

/** kops's harness stamps every object with 2017-01-01; a dry run prints `creationTimestamp: null`. */
const normalise = (text: string) => text.trim().replace(/creationTimestamp: (null|"[^"]*")/g, 'creationTimestamp: "2017-01-01T00:00:00Z"');

/** The cluster first, then the instance groups in name order, as kops's harness lists them. */
function asListed(text: string): string[] {
  const [cluster, ...groups] = normalise(text).split(/\n+---\n+/);
  const name = (doc: string) => /\n {2}name: (.*)/.exec(doc)?.[1] ?? '';
  return [cluster!, ...groups.sort((a, b) => (name(a) < name(b) ? -1 : 1))];
}

describe("create cluster --dry-run -o yaml prints what kops's create_cluster fixtures expect", () => {
  it('vendors all 38 fixtures of kops 268927e', () => {
    expect(CASES).toHaveLength(38);
  });

  const results = new Map<string, { code: number; stdout: string; stderr: string }>();
  for (const testCase of CASES) {
    const listed = NEEDS_MOCK_CLOUD[testCase];
    it(listed ? `${testCase}: needs kops's mock cloud (${listed.reason})` : `${testCase}: matches expected-v1alpha2.yaml`, async () => {
      const { name, args, env } = commandFor(testCase);
      const result = await runCli(['create', 'cluster', name, ...args], { env });
      results.set(testCase, result);
      if (listed) {
        expect(result.code, 'an allow-listed fixture now succeeds: take it off NEEDS_MOCK_CLOUD if it matches').toBe(1);
        expect(result.stderr).toMatch(listed.refusal);
        return;
      }
      expect(result.stderr.replace(/^(Running with control-plane nodes in the same AZs; redundancy will be reduced|--\S+ has no effect: .*)\n/gm, '')).toBe('');
      expect(result.code).toBe(0);
      expect(asListed(result.stdout)).toEqual(asListed(fixture(testCase)));
    });
  }

  it('matches at least 32 of the 38', () => {
    const matched = CASES.filter((c) => !NEEDS_MOCK_CLOUD[c] && results.get(c)?.code === 0);
    expect(matched.length).toBeGreaterThanOrEqual(32);
    expect(Object.keys(NEEDS_MOCK_CLOUD).every((c) => CASES.includes(c))).toBe(true);
  });
});

describe('create cluster writes what kops stores', () => {
  it('config, instancegroup/* (no cluster label, as kops stores them) and clusteraddons/default; get -o yaml shows the label', async () => {
    resetMemfs();
    const { name, args, env } = commandFor('ha');
    const create = args.slice(0, args.indexOf('--dry-run'));
    const result = await runInProcess(['create', 'cluster', name, ...create], { env });
    expect(result.code, result.stderr).toBe(0);
    const folder = await resolvePath(`memfs://tests/${name}`);
    const igs = (await folder.join('instancegroup').readDir()).map((e) => e.name).sort();
    const stored = await Promise.all(igs.map((ig) => folder.join('instancegroup', ig).readText()));
    for (const text of stored) expect(text).not.toContain('kops.k8s.io/cluster');
    const expected = asListed(fixture('ha'));
    expect(normalise(await folder.join('config').readText())).toBe(expected[0]);
    expect(stored.map((t) => normalise(t))).toEqual(expected.slice(1).map((t) => t.replace(/ {2}labels:\n {4}kops\.k8s\.io\/cluster: .*\n/, '')));
    expect(await folder.join('clusteraddons/default').readText()).toBe('');
    const shown = await runInProcess(['get', 'ig', '--name', name, '-o', 'yaml', '--state', 'memfs://tests'], { env });
    expect(asListed(`${expected[0]}\n---\n${shown.stdout}`)).toEqual(expected);
  });

  it('--dry-run -o json prints the same objects as an array', async () => {
    const { name, args, env } = commandFor('minimal-1.35');
    const result = await runCli(['create', 'cluster', name, ...args.slice(0, -1), 'json'], { env });
    expect(result.code).toBe(0);
    const objects = JSON.parse(result.stdout) as { kind: string; metadata: { name: string; creationTimestamp: null; labels?: Record<string, string> } }[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Cluster/minimal.example.com', 'InstanceGroup/control-plane-us-test-1a', 'InstanceGroup/nodes-us-test-1a']);
    expect(objects.map((o) => o.metadata.creationTimestamp)).toEqual([null, null, null]);
    expect(objects[1]!.metadata.labels).toEqual({ 'kops.k8s.io/cluster': 'minimal.example.com' });
  });
});
