/**
 * The command line as a kops user expects it, on file:// and memfs:// (the real-server side is in
 * packages/resilience/test/cli-every-backend.test.ts): kops's spellings of -v, which never leak into
 * process.env; `statestore help`; the memfs:// warning of the executable; --dry-run on set, unset, replace,
 * cp, rm and migrate writing nothing; third-party warnings kept out of the executable's output but not out of a
 * program's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, runInProcess, tempDir } from './helpers.js';

const CLUSTER = 'flags.example.com';
let dir: string;
let state: string[];

/** Every file below `root` with its bytes, to prove a dry run wrote nothing. */
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

beforeAll(async () => {
  dir = tempDir('statestore-command-line-');
  state = ['--state', `file://${dir}/store`];
  expect((await runInProcess(['create', 'cluster', CLUSTER, '--zones', 'us-east-1a', '--cloud', 'aws', ...state])).code).toBe(0);
});

describe('-v as kops spells it', () => {
  it('-v N, -v=N, --v N and --v=N set the level (2 names where the store came from)', async () => {
    for (const spelling of [['-v', '2'], ['-v=2'], ['--v', '2'], ['--v=2'], ['-v2']]) {
      const r = await runInProcess(['get', 'clusters', ...state, ...spelling]);
      expect(r.code, `${spelling.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr, spelling.join(' ')).toContain(`state store file://${dir}/store (from --state)`);
    }
    expect((await runInProcess(['get', 'clusters', ...state])).stderr).toBe('');
    expect((await runInProcess(['get', 'clusters', ...state, '-v=loud'])).code).toBe(2);
  });
  it('the level never travels through process.env (a later command in the same process is not verbose)', async () => {
    const before = process.env.STATESTORE_VERBOSITY;
    await runInProcess(['get', 'clusters', ...state, '-v', '4']);
    expect(process.env.STATESTORE_VERBOSITY).toBe(before);
    expect((await runInProcess(['get', 'clusters', ...state])).stderr).toBe('');
  });
});

describe('statestore help', () => {
  it('lists the commands, shows one command as --help does, and refuses an unknown one', async () => {
    const all = await runInProcess(['help']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('Usage: statestore COMMAND [flags]');
    expect(all.stdout).not.toContain('__complete');
    const one = await runInProcess(['help', 'create', 'cluster']);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe((await runInProcess(['create', 'cluster', '--help'])).stdout);
    const unknown = await runInProcess(['help', 'get']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('get clusters, get all, get instancegroups');
  });
});

describe('memfs:// from the executable', () => {
  it('warns, once, that what a command wrote there is gone at exit; reads and in-process main() are not warned', async () => {
    const file = path.join(tempDir('statestore-note-'), 'note.txt');
    writeFileSync(file, 'x');
    const r = await runCli(['cp', file, 'memfs://scratch/note.txt']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("warning: memfs:// is kept in this process's memory only: what this command wrote there is gone now that it exits. Use file:///PATH (or a bucket) to keep files.\n");
    expect((await runCli(['ls', 'memfs://scratch/'])).stderr).toBe('');
    expect((await runInProcess(['cp', file, 'memfs://scratch/note.txt'])).stderr).toBe('');
  });
});

describe('--dry-run writes nothing', () => {
  it('set and unset show the field changes, validated as a real write would be', async () => {
    const before = snapshot(`${dir}/store`);
    const set = await runInProcess(['set', 'cluster', CLUSTER, 'spec.kubernetesVersion=1.35.1', 'spec.kubelet.maxPods=50', '--dry-run', ...state]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`Dry run: Cluster ${CLUSTER} would change (nothing was written):`);
    expect(set.stdout).toMatch(/~ spec\.kubernetesVersion: \S+ → 1\.35\.1/);
    expect(set.stdout).toContain('+ spec.kubelet.maxPods: 50');
    const json = await runInProcess(['unset', 'cluster', CLUSTER, 'spec.kubelet', '--dry-run', '-o', 'json', ...state]);
    expect(JSON.parse(json.stdout)).toMatchObject({ cluster: CLUSTER, dryRun: true, changes: expect.arrayContaining([expect.objectContaining({ path: 'spec.kubelet', kind: 'removed' })]) });
    const invalid = await runInProcess(['set', 'cluster', CLUSTER, 'spec.kubernetesVersion=banana', '--dry-run', ...state]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('spec.kubernetesVersion');
    expect(snapshot(`${dir}/store`)).toEqual(before);
  });

  it('cp and rm list what they would copy or remove', async () => {
    const before = snapshot(`${dir}/store`);
    const cp = await runInProcess(['cp', '-r', `file://${dir}/store/${CLUSTER}`, `file://${dir}/copy`, '--dry-run']);
    expect(cp.code, cp.stderr).toBe(0);
    expect(cp.stdout).toContain('Dry run: would copy 4 files (nothing was written):');
    expect(cp.stdout).toContain(`${dir}/store/${CLUSTER}/config -> ${dir}/copy/config`);
    const rm = await runInProcess(['rm', '-r', `file://${dir}/store/${CLUSTER}`, '--dry-run']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toBe(`Dry run: would remove ${dir}/store/${CLUSTER} (4 files). Nothing was removed.\n`);
    expect(readdirSync(dir).sort()).toEqual(['store']);
    expect(snapshot(`${dir}/store`)).toEqual(before);
  });

  it('replace checks every document as the writes would and says what each would do', async () => {
    const before = snapshot(`${dir}/store`);
    const yaml = (await runInProcess(['get', 'cluster', CLUSTER, '-o', 'yaml', ...state])).stdout;
    const file = path.join(tempDir('statestore-replace-'), 'c.yaml');
    writeFileSync(file, `${yaml.replace(/kubernetesVersion: .*/, 'kubernetesVersion: 1.35.1')}---\n${yaml.replaceAll(CLUSTER, 'new.example.com')}`);
    const r = await runInProcess(['replace', '-f', file, '--force', '--dry-run', ...state]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Cluster ${CLUSTER} would be replaced (dry run)\nCluster new.example.com would be created (dry run)\n`);
    writeFileSync(file, yaml.replace(/kubernetesVersion: .*/, 'kubernetesVersion: banana'));
    const invalid = await runInProcess(['replace', '-f', file, '--dry-run', ...state]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('spec.kubernetesVersion');
    expect(snapshot(`${dir}/store`)).toEqual(before);
  });

  it('migrate says what it would copy and rewrite, exit 0', async () => {
    const before = snapshot(`${dir}/store`);
    const r = await runInProcess(['migrate', CLUSTER, '--to', `file://${dir}/new-store`, '--dry-run', ...state]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/would be copied 3/);
    expect(r.stdout).toContain(`would rewrite spec.configBase: ${dir}/store/${CLUSTER} → ${dir}/new-store/${CLUSTER}`);
    expect(r.stdout).toContain('Dry run: nothing was written');
    expect(readdirSync(dir).sort()).toEqual(['store']);
    expect(snapshot(`${dir}/store`)).toEqual(before);
  });
});

describe('third-party warnings', () => {
  // The AWS SDK's notice, emitted as that SDK emits it (process.emitWarning with its text).
  const SDK_NOTICE = 'NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\\nversions published after the first week of January 2027\\nwill require node >=22.';

  it('what the executable installs drops the listed ones and keeps every other warning (the real SDK: packages/resilience)', () => {
    const quiet = path.join(path.dirname(BIN), 'third-party-warnings.js');
    const script = `import { quietThirdPartyWarnings } from ${JSON.stringify(quiet)}; quietThirdPartyWarnings(); process.emitWarning(${JSON.stringify(SDK_NOTICE)}); process.emitWarning('ours: keep me', 'DeprecationWarning');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).not.toContain('NodeVersionSupportWarning');
    expect(r.stderr).toContain('DeprecationWarning: ours: keep me');
  });

  it('a program that does not run the executable keeps them', () => {
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', `process.emitWarning(${JSON.stringify(SDK_NOTICE)})`], { encoding: 'utf8' });
    expect(out.stderr).toContain('NodeVersionSupportWarning');
  });
});
