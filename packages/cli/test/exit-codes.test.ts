/**
 * The exit-code table of packages/cli/README.md, command by command: 0 ok, 1 failure, 2 usage everywhere;
 * `diff` 0 same / 1 different / 2 trouble, as diff(1); `plan --detailed-exitcode` 0 no changes / 1 error /
 * 2 changes. Every command in the table answers --help with 0 and an unknown flag with its usage code.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/command-table.js';
import { runCli, runInProcess, tempDir } from './helpers.js';

const CLUSTER = 'codes.example.com';
let dir: string;
let state: string[];

beforeAll(async () => {
  dir = tempDir('statestore-exit-codes-');
  state = ['--state', `file://${dir}/store`];
  const created = await runInProcess(['create', 'cluster', CLUSTER, '--zones', 'us-east-1a', '--cloud', 'aws', ...state]);
  expect(created.code, created.stderr).toBe(0);
});

describe('0 ok, 1 failure, 2 usage', () => {
  it('0: a command that did its job', async () => {
    expect((await runInProcess(['get', 'clusters', ...state])).code).toBe(0);
  });
  it('1: a failure (a file that is not there, a cluster that is not there)', async () => {
    expect((await runInProcess(['cat', `file://${dir}/store/nothing-here`])).code).toBe(1);
    expect((await runInProcess(['get', 'cluster', 'missing.example.com', ...state])).code).toBe(1);
  });
  it('2: an unknown command, an unknown flag, a missing argument, no state store, a bad -v', async () => {
    for (const argv of [['frobnicate'], ['ls', '--no-such-flag'], ['cp', 'only-one'], ['get', 'clusters'], ['ls', '-v', 'loud', dir]]) {
      const r = await runInProcess(argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
    }
  });
  it('every command answers --help with 0 (naming its exit codes) and an unknown flag with 2', async () => {
    for (const entry of COMMANDS) {
      const words = [...entry.words];
      const help = await runInProcess([...words, '--help']);
      expect(help.code, words.join(' ')).toBe(0);
      expect(help.stdout, words.join(' ')).toMatch(/Exit codes: 0 /);
      expect((await runInProcess([...words, '--no-such-flag'])).code, words.join(' ')).toBe(2);
    }
  });
});

describe('diff: 0 same, 1 different, 2 trouble (as diff(1))', () => {
  it('0 for the same tree, 1 for a different one', async () => {
    const copy = `file://${dir}/copy`;
    expect((await runInProcess(['cp', '-r', `file://${dir}/store`, copy])).code).toBe(0);
    expect((await runInProcess(['diff', `file://${dir}/store`, copy])).code).toBe(0);
    writeFileSync(path.join(dir, 'copy', CLUSTER, 'extra'), 'x');
    expect((await runInProcess(['diff', `file://${dir}/store`, copy])).code).toBe(1);
  });
  it('2 for trouble: a store that cannot be opened, and a usage error', async () => {
    const broken = await runInProcess(['diff', `file://${dir}/store`, 's3://']);
    expect(broken.stderr).toContain('Invalid URL');
    expect(broken.code).toBe(2);
    expect((await runInProcess(['diff', `file://${dir}/store`])).code).toBe(2);
    expect((await runInProcess(['diff', '--help'])).stdout).toContain('Exit codes: 0 equal, 1 different, 2 trouble');
  });
});

describe('plan --detailed-exitcode: 0 no changes, 1 error, 2 changes', () => {
  it('0 for manifests the store matches, 2 for changes, 1 for an error of any kind', async () => {
    const manifest = path.join(dir, 'm.yaml');
    const all = await runInProcess(['get', 'all', CLUSTER, '-o', 'yaml', ...state]);
    writeFileSync(manifest, all.stdout);
    expect((await runInProcess(['plan', '-f', manifest, '--detailed-exitcode', ...state])).code).toBe(0);
    writeFileSync(manifest, all.stdout.replace(/kubernetesVersion: .*/, 'kubernetesVersion: 1.35.1'));
    expect((await runInProcess(['plan', '-f', manifest, '--detailed-exitcode', ...state])).code).toBe(2);
    expect((await runInProcess(['plan', '-f', manifest, ...state])).code).toBe(0);
    expect((await runInProcess(['plan', '-f', path.join(dir, 'absent.yaml'), '--detailed-exitcode', ...state])).code).toBe(1);
    expect((await runInProcess(['plan', '--detailed-exitcode', '--no-such-flag', ...state])).code).toBe(1);
    expect((await runInProcess(['plan', '--no-such-flag', ...state])).code).toBe(2);
  });
});

describe('the built executable sets the process exit code', () => {
  it('0, 1 and 2 from a child process', async () => {
    expect((await runCli(['get', 'clusters', ...state])).code).toBe(0);
    expect((await runCli(['cat', `file://${dir}/store/nothing-here`])).code).toBe(1);
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });
});
