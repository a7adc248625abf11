/**
 * The other commands through the built CLI and in-process: help on every command, exit codes, -o json,
 * store commands across backends, delete, replace, edit with $EDITOR, instance groups, plugins, doctor,
 * completion.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolvePath } from '@statestore/core';
import { COMMANDS } from '../src/command-table.js';
import { BIN, cleanEnv, runCli, runInProcess, tempDir } from './helpers.js';

const NAME = 'cmd.example.com';
let dir: string;
let state: string[];
beforeEach(async () => {
  dir = tempDir('statestore-cmd-');
  state = ['--state', `file://${dir}`];
  const r = await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...state]);
  expect(r.code, r.stderr).toBe(0);
});

describe('help and exit codes', () => {
  it('every command has --help with examples (exit 0)', async () => {
    for (const c of COMMANDS) {
      const r = await runInProcess([...c.words, '--help']);
      expect(r.code, c.words.join(' ')).toBe(0);
      expect(r.stdout).toContain(`Usage: statestore ${c.words[0]}`);
      expect(r.stdout).toMatch(/Examples:\n(  .*\n)*  .*statestore /);
    }
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('create cluster');
  });

  it('0 ok, 1 failure, 2 usage', async () => {
    expect((await runCli(['--version'])).stdout).toMatch(/^statestore \d+\.\d+\.\d+\n$/);
    expect((await runCli(['get', 'clusters', ...state])).code).toBe(0);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli([])).code).toBe(2);
    expect((await runCli(['get', 'clusters', '--no-such-flag', ...state])).code).toBe(2);
    expect((await runCli(['get', 'clusters', '-o', 'xml', ...state])).code).toBe(2);
    expect((await runCli(['create', 'cluster', '--zones', 'us-east-1a', ...state])).code).toBe(2);
    expect((await runCli(['create', 'cluster', 'x.example.com', '--zones', 'us-east-1a', '--dry-run', ...state])).code).toBe(2);
    expect((await runCli(['create', 'cluster', 'x.example.com', '--zones', 'us-east-1a', '--node-count', 'many', ...state])).code).toBe(2);
    const missing = await runCli(['get', 'cluster', 'missing.example.com', ...state]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cluster not found "missing.example.com"');
    const both = await runCli(['get', 'ig', 'x', ...state], { env: cleanEnv() });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--name is required');
  });

  it('rm without a terminal and without --yes refuses with exit 2', async () => {
    const r = await runCli(['rm', path.join(dir, NAME, 'clusteraddons', 'default')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('without --yes');
    expect(existsSync(path.join(dir, NAME, 'clusteraddons', 'default'))).toBe(true);
  });
});

describe('-o json for scripts', () => {
  it('get clusters: an array; get cluster NAME: one object; get ig: objects with the cluster label', async () => {
    const list = JSON.parse((await runCli(['get', 'clusters', '-o', 'json', ...state])).stdout) as { kind: string }[];
    expect(list).toHaveLength(1);
    const one = JSON.parse((await runCli(['get', 'cluster', NAME, '-o', 'json', ...state])).stdout) as { kind: string; spec: { configBase: string } };
    expect(one.kind).toBe('Cluster');
    expect(one.spec.configBase).toBe(`${dir}/${NAME}`);
    const igs = JSON.parse((await runCli(['get', 'ig', '--name', NAME, '-o', 'json', ...state])).stdout) as { metadata: { labels: Record<string, string> } }[];
    expect(igs.map((g) => g.metadata.labels['kops.k8s.io/cluster'])).toEqual([NAME, NAME]);
  });

  it("table output as kops's tabwriter writes it: rows sorted, tab-padded to 8-column stops", async () => {
    expect((await runCli(['get', 'clusters', ...state])).stdout).toBe(`NAME\t\tCLOUD\tZONES\n${NAME}\taws\tus-east-1a\n`);
    expect((await runCli(['get', 'ig', '--name', NAME, ...state])).stdout).toBe(
      'NAME\t\t\t\tROLE\t\tMACHINETYPE\tMIN\tMAX\tZONES\ncontrol-plane-us-east-1a\tControlPlane\tt3.medium\t1\t1\tus-east-1a\nnodes-us-east-1a\t\tNode\t\tt3.medium\t1\t1\tus-east-1a\n',
    );
  });

  it('ls, stat, plugins, doctor, version', async () => {
    const ls = JSON.parse((await runCli(['ls', '-R', '-o', 'json', ...state])).stdout) as { name: string; size: number }[];
    expect(ls.map((e) => e.name)).toEqual([`${NAME}/clusteraddons/default`, `${NAME}/config`, `${NAME}/instancegroup/control-plane-us-east-1a`, `${NAME}/instancegroup/nodes-us-east-1a`]);
    const stat = JSON.parse((await runCli(['stat', path.join(dir, NAME, 'config'), '-o', 'json'])).stdout) as { size: number; hash: string };
    expect(stat.size).toBe(readFileSync(path.join(dir, NAME, 'config')).length);
    expect(stat.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const plugins = JSON.parse((await runCli(['plugins', '-o', 'json'])).stdout) as { plugins: { name: string; schemes: string[]; builtIn: boolean }[] };
    expect(plugins.plugins[0]).toMatchObject({ name: '@statestore/core', schemes: ['file', 'memfs'], builtIn: true });
    const doctor = await runCli(['doctor', '-o', 'json', ...state], { env: cleanEnv({ S3_SECRET_ACCESS_KEY: 'do-not-print-me', HTTPS_PROXY: 'http://user:pw@proxy:3128' }) });
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: { name: string; ok: boolean }[]; plugin: { builtIn: boolean } };
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([['plugin', true], ['reachable', true], ['writable', true], ['readable', true], ['cleaned up', true]]);
    expect(doctor.stdout).not.toContain('do-not-print-me');
    expect(doctor.stdout).not.toContain('pw@');
    expect((await runCli(['ls', '-R', ...state])).stdout).not.toContain('doctor');
    expect(JSON.parse((await runCli(['version', '-o', 'json'])).stdout)).toMatchObject({ statestore: expect.any(String), core: expect.any(String) });
  });
});

describe('store commands', () => {
  it('cp -r across backends (file → memfs → file), cat, rm -r', async () => {
    const memfs = `memfs://copy-${Date.now()}/backup`;
    const other = tempDir('statestore-copy-');
    expect((await runInProcess(['cp', '-r', `file://${dir}/${NAME}`, memfs])).code).toBe(0);
    const back = await runInProcess(['cp', '-r', memfs, `file://${other}/${NAME}`, '-o', 'json']);
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toHaveLength(4);
    expect(readFileSync(path.join(other, NAME, 'config'), 'utf8')).toBe(readFileSync(path.join(dir, NAME, 'config'), 'utf8'));
    const cat = await runCli(['cat', `file://${other}/${NAME}/instancegroup/nodes-us-east-1a`]);
    expect(cat.stdout).toBe(readFileSync(path.join(dir, NAME, 'instancegroup', 'nodes-us-east-1a'), 'utf8'));
    const single = await runInProcess(['cp', `${memfs}/config`, `${other}/copied/`]);
    expect(single.code).toBe(0);
    expect(existsSync(path.join(other, 'copied', 'config'))).toBe(true);
    const rm = await runCli(['rm', '-r', '--yes', `file://${other}/${NAME}`]);
    expect(rm.stdout).toBe('Removed 4 files.\n');
    expect(existsSync(path.join(other, NAME, 'config'))).toBe(false);
    expect(await (await resolvePath(memfs)).readTree()).toHaveLength(4);
  });
});

describe('delete cluster', () => {
  it('shows the plan without --yes, refuses on an unknown file, deletes state only with --yes', async () => {
    const plan = await runCli(['delete', 'cluster', NAME, ...state]);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain('Must specify --yes');
    expect(existsSync(path.join(dir, NAME, 'config'))).toBe(true);
    writeFileSync(path.join(dir, NAME, 'notes.txt'), 'mine');
    const refused = await runCli(['delete', 'cluster', NAME, '--yes', ...state]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`refusing to delete: unknown file found: ${dir}/${NAME}/notes.txt`);
    expect(existsSync(path.join(dir, NAME, 'config'))).toBe(true);
    await runCli(['rm', '--yes', path.join(dir, NAME, 'notes.txt')]);
    const done = await runCli(['delete', 'cluster', NAME, '--yes', '-o', 'json', ...state]);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ cluster: NAME, deleted: true, cloudResourcesDeleted: false });
    expect(existsSync(path.join(dir, NAME, 'config'))).toBe(false);
    const text = await runCli(['delete', 'cluster', NAME, '--yes', ...state]);
    expect(text.code).toBe(1);
  });

  it('says that only state is removed', async () => {
    const r = await runCli(['delete', 'cluster', NAME, '--yes', ...state]);
    expect(r.stderr).toContain('Only state was removed: Statestore never deletes cloud resources');
  });
});

describe('replace -f', () => {
  it('replaces the cluster and an instance group from one multi-document file, keeping its comments', async () => {
    const yaml = (await runCli(['get', 'cluster', NAME, '-o', 'yaml', ...state])).stdout;
    const ig = (await runCli(['get', 'ig', 'nodes-us-east-1a', '--name', NAME, '-o', 'yaml', ...state])).stdout;
    const file = path.join(tempDir(), 'objects.yaml');
    writeFileSync(file, `${yaml.replace('kubernetesVersion: 1.36.3', 'kubernetesVersion: 1.35.0 # reviewed')}\n---\n${ig.replace('maxSize: 1', 'maxSize: 4')}`);
    const r = await runCli(['replace', '-f', file, '-o', 'json', ...state]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { kind: 'Cluster', name: NAME, cluster: NAME, action: 'replaced' },
      { kind: 'InstanceGroup', name: 'nodes-us-east-1a', cluster: NAME, action: 'replaced' },
    ]);
    expect(readFileSync(path.join(dir, NAME, 'config'), 'utf8')).toContain('kubernetesVersion: 1.35.0 # reviewed');
    expect(readFileSync(path.join(dir, NAME, 'instancegroup', 'nodes-us-east-1a'), 'utf8')).toContain('maxSize: 4');
  });

  it('needs --force for a cluster that does not exist, and refuses invalid objects', async () => {
    const yaml = (await runCli(['get', 'cluster', NAME, '-o', 'yaml', ...state])).stdout.replaceAll(NAME, 'new.example.com');
    const file = path.join(tempDir(), 'new.yaml');
    writeFileSync(file, yaml);
    expect((await runCli(['replace', '-f', file, ...state])).stderr).toContain('use --force');
    const forced = await runCli(['replace', '-f', '-', '--force', ...state], { input: yaml });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toBe('Cluster new.example.com created\n');
    writeFileSync(file, yaml.replace(/kubernetesVersion: .*/, 'kubernetesVersion: banana'));
    const bad = await runCli(['replace', '-f', file, ...state]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('spec.kubernetesVersion');
  });
});

describe('edit with $EDITOR', () => {
  function editor(script: string): string {
    const file = path.join(tempDir('statestore-editor-'), 'edit.sh');
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  it('saves a valid edit and keeps comments', async () => {
    const r = await runCli(['edit', 'cluster', NAME, ...state], { env: cleanEnv({ EDITOR: editor(`sed -i 's/kubernetesVersion: 1.36.3/kubernetesVersion: 1.35.2 # edited/' "$1"`) }) });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(dir, NAME, 'config'), 'utf8')).toContain('kubernetesVersion: 1.35.2 # edited');
  });

  it('re-opens with the errors after an invalid edit, then saves the fix', async () => {
    const script = editor(
      [
        'if grep -q "^#| The edited object was not saved" "$1"; then',
        `  sed -i 's/kubernetesVersion: banana/kubernetesVersion: 1.34.1/' "$1"`,
        'else',
        `  sed -i 's/kubernetesVersion: 1.36.3/kubernetesVersion: banana/' "$1"`,
        'fi',
      ].join('\n'),
    );
    const r = await runCli(['edit', 'cluster', NAME, '-v', '1', ...state], { env: cleanEnv({ EDITOR: script }) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('re-opening the editor');
    const saved = readFileSync(path.join(dir, NAME, 'config'), 'utf8');
    expect(saved).toContain('kubernetesVersion: 1.34.1');
    expect(saved).not.toContain('#|');
  });

  it('an unchanged file cancels; saving the same error again cancels with exit 1', async () => {
    const before = readFileSync(path.join(dir, NAME, 'config'), 'utf8');
    const noop = await runCli(['edit', 'cluster', NAME, ...state], { env: cleanEnv({ EDITOR: 'true' }) });
    expect(noop.code).toBe(0);
    expect(noop.stderr).toContain('Edit cancelled: no changes made.');
    const broken = await runCli(['edit', 'cluster', NAME, ...state], { env: cleanEnv({ EDITOR: editor(`sed -i 's/name: a$/name: ""/' "$1"`) }) });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('no valid changes were saved');
    expect(readFileSync(path.join(dir, NAME, 'config'), 'utf8')).toBe(before);
    // The rejected text is kept, as kubectl keeps it, where the message says.
    const copy = /A copy of your changes is in (\S+)/.exec(broken.stderr)?.[1];
    expect(copy, broken.stderr).toBeDefined();
    expect(readFileSync(copy!, 'utf8')).toContain('name: ""');
    expect(statSync(copy!).mode & 0o777).toBe(0o600);
  });

  it('an object changed by someone else during the edit: nothing saved, and the edit kept in a temp file', async () => {
    const config = path.join(dir, NAME, 'config');
    // The "editor" changes the stored object behind the edit's back, then makes its own change.
    const script = editor([`sed -i 's/kubernetesVersion: 1.36.3/kubernetesVersion: 1.35.0/' ${JSON.stringify(config)}`, `sed -i 's/kubernetesVersion: 1.36.3/kubernetesVersion: 1.34.2 # mine/' "$1"`].join('\n'));
    const r = await runCli(['edit', 'cluster', NAME, ...state], { env: cleanEnv({ EDITOR: script }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('changed while you were editing it; nothing was saved');
    expect(readFileSync(config, 'utf8')).toContain('kubernetesVersion: 1.35.0');
    const copy = /A copy of your changes is in (\S+)/.exec(r.stderr)?.[1];
    expect(readFileSync(copy!, 'utf8')).toContain('kubernetesVersion: 1.34.2 # mine');
  });

  it('edit instancegroup --set, without an editor', async () => {
    const r = await runCli(['edit', 'ig', 'nodes-us-east-1a', '--name', NAME, '--set', 'spec.maxSize=10', '--set', 'spec.rollingUpdate.maxUnavailable=50%', ...state]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(dir, NAME, 'instancegroup', 'nodes-us-east-1a'), 'utf8')).toContain('  maxSize: 10\n');
  });
});

describe('instance groups', () => {
  it('create (defaults from the cloud), refuse a duplicate, delete with --yes; etcd members protect their group', async () => {
    const created = await runCli(['create', 'ig', 'gpu', '--name', NAME, '--subnet', 'us-east-1a', '--machine-type', 'g5.xlarge', ...state]);
    expect(created.code, created.stderr).toBe(0);
    const ig = readFileSync(path.join(dir, NAME, 'instancegroup', 'gpu'), 'utf8');
    expect(ig).toContain('machineType: g5.xlarge');
    expect(ig).toContain('minSize: 2');
    expect(ig).toContain('kops.k8s.io/instancegroup: gpu');
    expect((await runCli(['create', 'ig', 'gpu', '--name', NAME, ...state])).code).toBe(1);
    expect((await runCli(['delete', 'ig', 'control-plane-us-east-1a', '--name', NAME, '--yes', ...state])).stderr).toContain('runs members of etcd cluster(s) main, events');
    expect((await runCli(['delete', 'ig', 'gpu', '--name', NAME, '--yes', ...state])).code).toBe(0);
    expect(existsSync(path.join(dir, NAME, 'instancegroup', 'gpu'))).toBe(false);
  });
});

describe('completion', () => {
  it('prints a bash script that bash accepts', async () => {
    const r = await runCli(['completion', 'bash']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -F _statestore statestore');
    expect(r.stdout).toContain('"create cluster") opts="');
    const file = path.join(tempDir(), 'completion.bash');
    writeFileSync(file, r.stdout);
    execFileSync('bash', ['-n', file]);
    expect((await runCli(['completion', 'zsh'])).stdout).toContain('bashcompinit');
  });

  it('offers the names of the clusters and instance groups of the store the command line names', async () => {
    const dir = tempDir();
    const state = `file://${dir}/store`;
    for (const name of ['alpha.example.com', 'beta.example.com']) {
      expect((await runCli(['create', 'cluster', name, '--zones', 'us-east-1a', '--cloud', 'aws', '--state', state])).code).toBe(0);
    }
    expect((await runCli(['create', 'ig', 'gpu-nodes', '--name', 'beta.example.com', '--role', 'Node', '--subnet', 'us-east-1a', '--state', state])).code).toBe(0);
    const script = path.join(dir, 'completion.bash');
    writeFileSync(script, (await runCli(['completion', 'bash'])).stdout);
    // `statestore` on PATH, as the completion calls it.
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'statestore'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    const complete = (line: string, env: NodeJS.ProcessEnv = {}) => {
      const words = line.split(' ');
      const program = `source ${JSON.stringify(script)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _statestore; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return execFileSync('bash', ['-c', program], { env: cleanEnv({ PATH: `${bin}:${process.env.PATH}`, ...env }), encoding: 'utf8' }).split('\n').filter((l) => l !== '').sort();
    };
    expect(complete(`statestore get cluster --state ${state} `)).toEqual(['alpha.example.com', 'beta.example.com']);
    expect(complete(`statestore edit cluster b`, { KOPS_STATE_STORE: state })).toEqual(['beta.example.com']);
    expect(complete(`statestore export --state ${state} a`)).toEqual(['alpha.example.com']);
    expect(complete(`statestore set cluster --state ${state} --name `)).toEqual(['alpha.example.com', 'beta.example.com']);
    expect(complete(`statestore edit ig --state ${state} --name beta.example.com `)).toEqual(['control-plane-us-east-1a', 'gpu-nodes', 'nodes-us-east-1a']);
    expect(complete(`statestore delete instancegroup g`, { KOPS_STATE_STORE: state, KOPS_CLUSTER_NAME: 'beta.example.com' })).toEqual(['gpu-nodes']);
    // No store given, or a value flag: no names (and never an error message in the command line).
    expect(complete('statestore get clusters ')).toEqual([]);
    expect(complete(`statestore migrate alpha.example.com --state ${state} --to ${dir}/sto`)).toEqual([`${dir}/store`]);
  });
});
