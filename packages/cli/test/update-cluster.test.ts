/**
 * `update cluster`: the review without --yes (validation, and the configuration's fields that differ
 * from the last completed spec), the refusal on local stores, and --yes handing over to kops: refused
 * with the kops command when kops is not on PATH, otherwise kops is run on the same state store and its
 * exit code returned. Statestore never writes cluster-completed.spec.
 *
 * The kops on PATH here is a small shell script standing in for the kops binary (which the test machine
 * does not have): it records the command line it was given, which is what Statestore is responsible for.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePath } from '@statestore/core';
import { cleanEnv, runCli, runInProcess, tempDir } from './helpers.js';

const NAME = 'update.example.com';

describe('update cluster on a file:// store', () => {
  it('without --yes prints the diff (exit 0); --yes is refused with the reason (exit 1), for file:// and bare paths', async () => {
    const dir = tempDir('statestore-update-');
    for (const state of [`file://${dir}`, dir]) {
      const args = ['--state', state];
      if (state.startsWith('file://')) expect((await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...args])).code).toBe(0);
      const dry = await runCli(['update', 'cluster', NAME, ...args]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain(`+  keyStore: ${dir}/${NAME}/pki`);
      expect(dry.stderr).toContain('Must specify --yes to apply changes');
      const yes = await runCli(['update', 'cluster', NAME, '--yes', ...args]);
      expect(yes.code).toBe(1);
      expect(yes.stderr).toContain('update cluster --yes is refused for a local store');
      expect(yes.stderr).toContain('cannot read this machine');
      // The way out is migrate (it rewrites configBase), not a copy that leaves configBase local.
      expect(yes.stderr).toContain(`statestore migrate ${NAME} --state ${state} --to s3://BUCKET`);
      expect(yes.stderr).not.toContain('cp -r');
      expect((await runCli(['ls', '-R', ...args])).stdout).not.toContain('cluster-completed.spec');
    }
  });
});

describe('update cluster on a local review copy of a production store', () => {
  it('the dry run reads cluster-completed.spec from the copy, never from the production configBase, and says so', async () => {
    const dir = tempDir('statestore-review-');
    const state = ['--state', `file://${dir}`];
    const production = `s3://statestore-production/${NAME}`;
    expect((await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...state])).code).toBe(0);
    // What an export (or aws s3 sync) of production leaves: the config still names production's configBase.
    expect((await runCli(['set', 'cluster', NAME, `spec.configBase=${production}`, ...state])).code).toBe(0);
    const local = await resolvePath(`file://${dir}/${NAME}/cluster-completed.spec`);
    await local.writeFile(`apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${NAME}\nspec:\n  configBase: ${production}\n  keyStore: ${production}/pki\n`);

    // No S3 variables and the loopback guard: any attempt to read production would fail this command.
    const dry = await runCli(['update', 'cluster', NAME, '-o', 'json', ...state]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`Reading cluster-completed.spec from this local copy (${dir}/${NAME}), not from configBase ${production}: the review does not touch production.`);
    const report = JSON.parse(dry.stdout) as { completedSpec: string; exists: boolean; writtenBy: string; diff: string };
    expect(report).toMatchObject({ completedSpec: `${dir}/${NAME}/cluster-completed.spec`, exists: true, writtenBy: 'kops' });
    expect(report.diff).toContain(`+  secretStore: ${production}/secrets`);
  });
});

/** A `kops` on PATH that records its arguments and exits with $FAKE_KOPS_EXIT. */
function kopsOnPath(): { bin: string; argsFile: string } {
  const bin = path.join(tempDir('statestore-kops-'), 'bin');
  mkdirSync(bin);
  const argsFile = path.join(bin, '..', 'args');
  const script = path.join(bin, 'kops');
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > "${argsFile}"\necho "kops: cluster changes applied"\necho "kops: a warning" >&2\nexit "\${FAKE_KOPS_EXIT:-0}"\n`);
  chmodSync(script, 0o755);
  return { bin, argsFile };
}

describe('update cluster on a shared store (memfs://, in-process)', () => {
  it('--yes without kops on PATH refuses (exit 1), prints the kops command and writes nothing', async () => {
    const store = `memfs://update-${Date.now()}`;
    const state = ['--state', store];
    expect((await runInProcess(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...state])).code).toBe(0);
    const refused = await runInProcess(['update', 'cluster', NAME, '--yes', ...state], { env: cleanEnv({ PATH: tempDir('statestore-empty-path-') }) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('kops is not on PATH');
    expect(refused.stderr).toContain(`kops update cluster --name ${NAME} --yes --state ${store}`);
    const folder = await resolvePath(`${store}/${NAME}`);
    expect((await folder.readTree()).map((f) => f.relativeTo(folder))).not.toContain('cluster-completed.spec');
  });

  it('--yes runs kops update cluster --yes on the same state store and returns its exit code', async () => {
    const store = `memfs://update-${Date.now()}`;
    const state = ['--state', store];
    expect((await runInProcess(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...state])).code).toBe(0);
    const { bin, argsFile } = kopsOnPath();
    const ran = await runInProcess(['update', 'cluster', NAME, '--yes', ...state], { env: cleanEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH}` }) });
    expect(ran.code, ran.stderr).toBe(0);
    expect(readFileSync(argsFile, 'utf8').split('\n').filter(Boolean)).toEqual(['update', 'cluster', '--name', NAME, '--yes', '--state', store]);
    expect(ran.stdout).toBe('kops: cluster changes applied\n');
    expect(ran.stderr).toContain('kops: a warning');
    const failed = await runInProcess(['update', 'cluster', NAME, '--yes', '-o', 'json', ...state], { env: cleanEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH}`, FAKE_KOPS_EXIT: '3' }) });
    expect(failed.code).toBe(3);
    expect(JSON.parse(failed.stdout)).toMatchObject({ cluster: NAME, exitCode: 3, command: `kops update cluster --name ${NAME} --yes --state ${store}` });
    const folder = await resolvePath(`${store}/${NAME}`);
    expect((await folder.readTree()).map((f) => f.relativeTo(folder))).not.toContain('cluster-completed.spec');
  });

  it('without --yes shows the fields of the configuration that differ from the completed spec kops wrote', async () => {
    const store = `memfs://update-${Date.now()}`;
    const state = ['--state', store];
    expect((await runInProcess(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...state])).code).toBe(0);
    const folder = await resolvePath(`${store}/${NAME}`);
    // what kops writes: the whole spec, with the values kops computes
    const config = await folder.join('config').readText();
    const completed = config
      .replace('  kubernetesVersion: 1.36.3', `  keyStore: ${store}/${NAME}/pki\n  kubeDNS:\n    provider: CoreDNS\n  kubernetesVersion: 1.36.3\n  secretStore: ${store}/${NAME}/secrets`)
      .replace(/ {4}name: (main|events)\n/g, (line, etcd: string) => `${line}    backups:\n      backupStore: ${store}/${NAME}/backups/etcd/${etcd}\n`);
    await folder.join('cluster-completed.spec').writeFile(completed);
    const same = await runInProcess(['update', 'cluster', NAME, ...state]);
    expect(same.stdout).toBe('');
    expect(same.stderr).toContain('No changes need to be applied.');
    expect((await runInProcess(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.35.1', ...state])).code).toBe(0);
    const changed = await runInProcess(['update', 'cluster', NAME, '-o', 'json', ...state]);
    const report = JSON.parse(changed.stdout) as { writtenBy: string; changed: boolean; diff: string };
    expect(report).toMatchObject({ writtenBy: 'kops', changed: true });
    expect(report.diff).toContain('-  kubernetesVersion: 1.36.3\n+  kubernetesVersion: 1.35.1');
    expect(report.diff).not.toContain('kubeDNS');
    expect(await folder.join('cluster-completed.spec').readText()).toBe(completed);
  });
});
