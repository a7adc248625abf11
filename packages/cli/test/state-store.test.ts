/**
 * Finding the state store (kops's four places, HOME pointed at a temp folder), the vault:// refusal,
 * typos and empty variables in the store URL, and the message for a scheme without a plugin — through
 * the built CLI.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PluginRegistry } from '@statestore/core';
import { cleanEnv, runCli, runInProcess, tempDir } from './helpers.js';

/** A file:// store holding one cluster named after the store, so output shows which store was read. */
async function storeWith(cluster: string): Promise<string> {
  const dir = tempDir('statestore-store-');
  const r = await runCli(['create', 'cluster', cluster, '--zones', 'us-east-1a', '--cloud', 'aws', '--state', `file://${dir}/`]);
  expect(r.code, r.stderr).toBe(0);
  return `file://${dir}`;
}

async function clusterNames(env: NodeJS.ProcessEnv, extra: string[] = []) {
  const r = await runCli(['get', 'clusters', '-o', 'json', ...extra], { env });
  return { ...r, names: r.code === 0 ? (JSON.parse(r.stdout) as { metadata: { name: string } }[]).map((c) => c.metadata.name) : [] };
}

describe('state store location: --state, KOPS_STATE_STORE, ~/.kops.yaml, ~/.kops/config', () => {
  const stores: Record<string, string> = {};
  let home: string;
  beforeAll(async () => {
    for (const n of ['flag', 'env', 'kops-yaml', 'kops-config']) stores[n] = await storeWith(`${n}.example.com`);
    home = tempDir('statestore-home-');
    writeFileSync(path.join(home, '.kops.yaml'), `kops_state_store: ${stores['kops-yaml']}\n`);
    mkdirSync(path.join(home, '.kops'));
    writeFileSync(path.join(home, '.kops', 'config'), `kops_state_store: ${stores['kops-config']}/\n`);
  });

  it('--state wins', async () => {
    expect((await clusterNames(cleanEnv({ HOME: home, KOPS_STATE_STORE: stores.env }), ['--state', stores.flag!])).names).toEqual(['flag.example.com']);
  });
  it('then KOPS_STATE_STORE', async () => {
    expect((await clusterNames(cleanEnv({ HOME: home, KOPS_STATE_STORE: stores.env }))).names).toEqual(['env.example.com']);
  });
  it('then $HOME/.kops.yaml', async () => {
    expect((await clusterNames(cleanEnv({ HOME: home }))).names).toEqual(['kops-yaml.example.com']);
  });
  it('then $HOME/.kops/config (with its trailing slash trimmed)', async () => {
    const only = tempDir('statestore-home-');
    mkdirSync(path.join(only, '.kops'));
    writeFileSync(path.join(only, '.kops', 'config'), `kops_state_store: ${stores['kops-config']}/\n`);
    const r = await clusterNames(cleanEnv({ HOME: only }), ['-v', '2']);
    expect(r.names).toEqual(['kops-config.example.com']);
    expect(r.stderr).toContain(`state store ${stores['kops-config']} (from ${path.join(only, '.kops', 'config')})`);
  });
  it('nothing set: exit 2 and a message naming all four places', async () => {
    const r = await clusterNames(cleanEnv());
    expect(r.code).toBe(2);
    for (const place of ['--state', 'KOPS_STATE_STORE', '$HOME/.kops.yaml', '$HOME/.kops/config']) expect(r.stderr).toContain(place);
  });
});

describe('a config file that cannot be used is named, never "No state store"', () => {
  it('a malformed ~/.kops.yaml: exit 1, the file and the parse error', async () => {
    const home = tempDir('statestore-home-');
    writeFileSync(path.join(home, '.kops.yaml'), 'kops_state_store: [s3://bucket/kops\n');
    const r = await runCli(['get', 'clusters'], { env: cleanEnv({ HOME: home }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot read the state store from ${path.join(home, '.kops.yaml')}`);
    expect(r.stderr).toMatch(/Flow sequence/);
    expect(r.stderr).not.toContain('No state store');
  });
  it('a --config file that does not exist: exit 1, naming it (relative to the working folder)', async () => {
    const cwd = tempDir('statestore-cwd-');
    const r = await runCli(['get', 'clusters', '--config', 'kops-config.yaml'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--config ${path.join(cwd, 'kops-config.yaml')}: no such file`);
    expect(r.stderr).not.toContain('No state store');
  });
});

describe('vault:// is never the state store', () => {
  it('is refused from --state and from KOPS_STATE_STORE, before any plugin is loaded', async () => {
    for (const env of [cleanEnv(), cleanEnv({ KOPS_STATE_STORE: 'vault://127.0.0.1:1/secret/kops' })]) {
      const args = env.KOPS_STATE_STORE ? ['get', 'clusters'] : ['get', 'clusters', '--state', 'vault://127.0.0.1:1/secret/kops'];
      const r = await runCli(args, { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("cannot be the state store: vault:// holds a cluster's secrets and keys only");
      expect(r.stderr).not.toMatch(/ECONNREFUSED|backend-vault/);
    }
  });
});

describe('a typo or an empty variable in the store URL', () => {
  // What `--state s3://$BUCKET` becomes with BUCKET unset, and the typos a user makes.
  const typos = ['s3://', 's3:/bucket', 'gs://', 'swift://', 'file://', 'vault://', 'memfs', 's3'];

  it('is InvalidUrl naming the problem, exit 1, and nothing appears in the working directory', async () => {
    for (const typo of typos) {
      const cwd = tempDir('statestore-cwd-');
      for (const args of [['get', 'clusters', '--state', typo], ['create', 'cluster', 'typo.example.com', '--zones', 'us-east-1a', '--cloud', 'aws', '--state', typo]]) {
        const r = await runCli(args, { cwd });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
        expect(r.stderr, typo).toMatch(typo === 'vault://' ? /vault:\/\/ cannot be the state store/ : /Invalid URL/);
        expect(r.stderr, typo).not.toContain('No clusters found');
      }
      const fromEnv = await runCli(['get', 'clusters'], { cwd, env: cleanEnv({ KOPS_STATE_STORE: typo }) });
      expect(fromEnv.code, typo).toBe(1);
      expect(readdirSync(cwd), typo).toEqual([]);
    }
  });

  it('says what was meant: the missing bucket, the missing //, the did-you-mean with ./NAME for a folder', async () => {
    const said = async (typo: string) => (await runCli(['get', 'clusters', '--state', typo], { cwd: tempDir('statestore-cwd-') })).stderr;
    expect(await said('s3://')).toContain('no bucket or host after s3://');
    expect(await said('s3:/bucket')).toContain('starts with s3: but not s3://');
    expect(await said('file://')).toContain('no path after file://');
    expect(await said('memfs')).toMatch(/Did you mean memfs:\/\/NAME\?.*\.\/memfs/);
  });

  it('./s3 is still the local folder s3', async () => {
    const cwd = tempDir('statestore-cwd-');
    const r = await runCli(['create', 'cluster', 'local.example.com', '--zones', 'us-east-1a', '--cloud', 'aws', '--state', './s3'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(path.join(cwd, 's3')).filter((name) => name !== '.statestore')).toEqual(['local.example.com']);
  });
});

describe('the loopback guard in every CLI a test spawns', () => {
  it('with S3_ENDPOINT unset, the first request to AWS is refused at once: no cloud endpoint, no metadata address', async () => {
    const env = cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIAFORGOTTENENDPOINT', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret' });
    expect(env.NODE_OPTIONS).toContain('loopback/guard.mjs');
    const r = await runCli(['ls', 's3://statestore-forgot-the-endpoint/kops'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/loopback guard: refused (a connection to|a DNS lookup of) [\w.-]*amazonaws\.com/);
  });
});

describe('a scheme without a plugin', () => {
  it('azureblob:// (nothing of ours serves it) points at the example plugin, never at a package name to npm install (built CLI)', async () => {
    const r = await runCli(['ls', 'azureblob://account/container']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No backend for azureblob:// is installed');
    expect(r.stderr).toContain('examples/statestore-backend-azureblob');
    expect(r.stderr).not.toContain('npm install');
  });
  it('a typo of a scheme: did you mean, and never a guessed statestore-backend-<x> (built CLI)', async () => {
    for (const [typo, meant] of [['gcs', 'gs'], ['s4', 's3']]) {
      const r = await runCli(['ls', `${typo}://bucket/kops`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Did you mean ${meant}://?`);
      expect(r.stderr).not.toContain('statestore-backend-');
    }
  });
  it('names the @statestore package for a known scheme (no plugins discoverable)', async () => {
    const registry = new PluginRegistry(() => []);
    const r = await runInProcess(['get', 'clusters', '--state', 's3://bucket/kops'], { registry });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('npm install @statestore/backend-s3');
  });
});
