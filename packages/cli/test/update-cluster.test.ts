/**
 * `update cluster`: the diff without --yes, the refusal on local stores, and the rules for writing
 * cluster-completed.spec (only absent or Statestore-written; never over kops's; kops-version.txt untouched).
 */
import { describe, expect, it } from 'vitest';
import { resolvePath } from '@statestore/core';
import { runCli, runInProcess, tempDir } from './helpers.js';

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
      expect(dry.stderr).toContain('Must specify --yes to apply changes.');
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

describe('update cluster --yes on a shared store (memfs://, in-process)', () => {
  it('writes a marked completed spec, rewrites its own, leaves kops-version.txt alone, never replaces kops\'s', async () => {
    const store = `memfs://update-${Date.now()}`;
    const state = ['--state', store];
    expect((await runInProcess(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...state])).code).toBe(0);
    const folder = await resolvePath(`${store}/${NAME}`);
    await folder.join('kops-version.txt').writeFile('1.34.0');

    const first = await runInProcess(['update', 'cluster', NAME, '--yes', '-o', 'json', ...state]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ cluster: NAME, written: true, changed: true });
    const written = await folder.join('cluster-completed.spec').readText();
    expect(written.split('\n')[0]).toMatch(/^# Written by Statestore/);
    expect(written).toContain(`secretStore: ${store}/${NAME}/secrets`);
    expect(written).toContain(`backupStore: ${store}/${NAME}/backups/etcd/events`);

    const again = await runInProcess(['update', 'cluster', NAME, '--yes', ...state]);
    expect(again.stdout).toContain('is up to date');
    expect((await runInProcess(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.35.1', ...state])).code).toBe(0);
    const rewrite = await runInProcess(['update', 'cluster', NAME, '--yes', ...state]);
    expect(rewrite.code).toBe(0);
    expect(rewrite.stdout).toContain('+  kubernetesVersion: 1.35.1');
    expect(await folder.join('kops-version.txt').readText()).toBe('1.34.0');

    const kopsSpec = written.split('\n').slice(1).join('\n').replace('kubernetesVersion: 1.36.3', 'kubernetesVersion: 1.36.3\n  kubeDNS:\n    provider: CoreDNS');
    await folder.join('cluster-completed.spec').writeFile(kopsSpec);
    const refused = await runInProcess(['update', 'cluster', NAME, '--yes', ...state]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was written by kops; Statestore never replaces it');
    expect(await folder.join('cluster-completed.spec').readText()).toBe(kopsSpec);
    const dry = await runInProcess(['update', 'cluster', NAME, '-o', 'json', ...state]);
    expect(JSON.parse(dry.stdout)).toMatchObject({ writtenBy: 'kops', written: false });
  });
});
