/**
 * `get all`, `plan` and `apply` through the CLI on file:// stores: the round trip
 * `get all C -o yaml > m.yaml && plan -f m.yaml --detailed-exitcode` exits 0 on every kops create_cluster
 * fixture the project tests (and with `-o json`), `get all`'s table and its refusal to print keys or
 * secrets, manifests from folders and stdin, and the usage rules of `plan` and `apply`.
 * (Servers of every protocol, stale plans and failures between writes: packages/integration.)
 */
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, runInProcess, tempDir } from './helpers.js';
import { CASES, NEEDS_MOCK_CLOUD, commandFor } from './kops-fixtures.js';

describe('get all -o yaml, planned back, has no changes', () => {
  const tested = CASES.filter((c) => !NEEDS_MOCK_CLOUD[c]);

  it('covers every fixture the project tests (33 of 38)', () => {
    expect(tested).toHaveLength(33);
  });

  for (const testCase of tested) {
    it(testCase, async () => {
      const { name, args, env } = commandFor(testCase);
      const dir = tempDir('statestore-roundtrip-');
      const state = ['--state', `file://${dir}/state`];
      const create = await runInProcess(['create', 'cluster', name, ...args.slice(0, args.indexOf('--state')), ...state], { env });
      expect(create.code, create.stderr).toBe(0);
      for (const format of ['yaml', 'json']) {
        const all = await runInProcess(['get', 'all', name, '-o', format, ...state], { env });
        expect(all.code, all.stderr).toBe(0);
        const manifest = path.join(dir, `m.${format}`);
        writeFileSync(manifest, all.stdout);
        const plan = await runInProcess(['plan', '-f', manifest, '--detailed-exitcode', ...state], { env });
        expect(plan.stderr).toBe('');
        expect(plan.stdout).toBe(`No changes: the store matches the manifests (Cluster ${name} in ${dir}/state).\n`);
        expect(plan.code).toBe(0);
      }
    });
  }
});

describe('get all', () => {
  it("prints kops's tables: the cluster, its instance groups and its addon objects; never keys or secrets", async () => {
    const dir = tempDir();
    const state = ['--state', `file://${dir}`];
    expect((await runCli(['create', 'cluster', 'all.example.com', '--zones', 'us-east-1a', '--cloud', 'aws', ...state])).code).toBe(0);
    writeFileSync(path.join(dir, 'all.example.com', 'clusteraddons', 'default'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  version: 1.2.3\n');
    mkdirSync(path.join(dir, 'all.example.com', 'secrets'));
    writeFileSync(path.join(dir, 'all.example.com', 'secrets', 'admin'), '{"Data":"dG9wLXNlY3JldA=="}');
    const table = await runCli(['get', 'all', 'all.example.com', ...state]);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(
      [
        'Cluster',
        'NAME\t\tCLOUD\tZONES',
        'all.example.com\taws\tus-east-1a',
        '',
        'Instance Groups',
        'NAME\t\t\t\tROLE\t\tMACHINETYPE\tMIN\tMAX\tZONES',
        'control-plane-us-east-1a\tControlPlane\tt3.medium\t1\t1\tus-east-1a',
        'nodes-us-east-1a\t\tNode\t\tt3.medium\t1\t1\tus-east-1a',
        '',
        'Addon Objects',
        'NAME\tKIND\tVERSION',
        'w1\tWidget\t1.2.3',
        '',
      ].join('\n'),
    );
    const json = await runCli(['get', 'all', 'all.example.com', '-o', 'json', ...state]);
    expect((JSON.parse(json.stdout) as { kind: string }[]).map((o) => o.kind)).toEqual(['Cluster', 'InstanceGroup', 'InstanceGroup', 'Widget']);
    for (const out of [table.stdout, json.stdout, (await runCli(['get', 'all', 'all.example.com', '-o', 'yaml', ...state])).stdout]) expect(out).not.toContain('dG9wLXNlY3JldA');
    const missing = await runCli(['get', 'all', 'none.example.com', ...state]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cluster not found "none.example.com"');
  });
});

/** The manifest with nodes-us-east-1a's maxSize raised to 2. */
function growNodes(all: string): string {
  const at = all.indexOf('name: nodes-us-east-1a\n');
  const next = `${all.slice(0, at)}${all.slice(at).replace('maxSize: 1\n', 'maxSize: 2\n')}`;
  expect(next).not.toBe(all);
  return next;
}

describe('plan and apply: inputs and usage', () => {
  const setup = async () => {
    const dir = tempDir();
    const state = ['--state', `file://${dir}/state`];
    expect((await runCli(['create', 'cluster', 'in.example.com', '--zones', 'us-east-1a', '--cloud', 'aws', ...state])).code).toBe(0);
    const all = await runCli(['get', 'all', 'in.example.com', '-o', 'yaml', ...state]);
    return { dir, state, all: all.stdout };
  };

  it('reads manifests from a folder (one file per object, hidden folders skipped) and from stdin', async () => {
    const { dir, state, all } = await setup();
    const folder = path.join(dir, 'manifests');
    mkdirSync(path.join(folder, 'groups'), { recursive: true });
    mkdirSync(path.join(folder, '.git'));
    const [cluster, ...groups] = all.split('\n---\n\n');
    writeFileSync(path.join(folder, 'cluster.yaml'), cluster!);
    groups.forEach((g, i) => writeFileSync(path.join(folder, 'groups', `${i}.yml`), g));
    writeFileSync(path.join(folder, '.git', 'junk.yaml'), 'kind: Nonsense\n');
    writeFileSync(path.join(folder, 'README.md'), '# not a manifest\n');
    expect((await runCli(['plan', '-f', folder, '--detailed-exitcode', ...state])).code).toBe(0);
    const stdin = await runCli(['plan', '-f', '-', '--detailed-exitcode', ...state], { input: growNodes(all) });
    expect(stdin.stdout).toContain('~ InstanceGroup/nodes-us-east-1a\n      ~ spec.maxSize: 1 → 2\n');
    expect(stdin.code).toBe(2);
  });

  it('-o - prints the plan JSON on stdout and the summary on stderr; apply refuses a plan for another store', async () => {
    const { dir, state, all } = await setup();
    const manifest = path.join(dir, 'm.yaml');
    writeFileSync(manifest, growNodes(all));
    const plan = await runCli(['plan', '-f', manifest, '-o', '-', ...state]);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ format: 'statestore.plan/v1', cluster: 'in.example.com', store: `${dir}/state`, prune: false });
    expect(plan.stderr).toContain('Plan: 0 to create, 1 to change, 0 to delete.');
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, plan.stdout);
    const elsewhere = await runCli(['apply', planFile, '--state', `file://${dir}/other`]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(`the plan was made for the state store ${dir}/state, not file://${dir}/other`);
    const json = await runCli(['apply', planFile, '-o', 'json', '-m', 'why']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      store: `${dir}/state`,
      cluster: 'in.example.com',
      message: 'why',
      applied: [{ object: 'InstanceGroup/nodes-us-east-1a', key: 'in.example.com/instancegroup/nodes-us-east-1a', action: 'change' }],
      alreadyApplied: [],
      complete: true,
    });
    expect(readFileSync(path.join(dir, 'state', 'in.example.com', 'instancegroup', 'nodes-us-east-1a'), 'utf8')).toContain('maxSize: 2');
  });

  it('usage errors: exit 2 (1 for plan --detailed-exitcode, where 2 means changes)', async () => {
    const env = cleanEnv({ KOPS_STATE_STORE: `file://${tempDir()}` });
    const cases: [string[], number, string][] = [
      [['plan'], 2, 'give the manifests to plan with -f PATH'],
      [['plan', '--detailed-exitcode'], 1, 'give the manifests to plan with -f PATH'],
      [['apply'], 2, 'give the plan to apply'],
      [['apply', 'p.json', '-f', 'm.yaml'], 2, 'give either a plan file or -f PATH..., not both'],
      [['apply', 'p.json', '--prune'], 2, '--prune is decided when the plan is made'],
      [['get', 'all', 'a.example.com', 'b.example.com'], 2, 'get all takes one cluster'],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args, { env });
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.code, args.join(' ')).toBe(code);
    }
  });
});
