/**
 * What the command line prints, on every backend, against its real server (issue 23): at `-v 4` (and kops's
 * spellings `-v=4`, `--v=4`) one line per HTTP request with its method, URL, status and time; no warning
 * from a third-party library (the AWS SDK's Node-version notice included) in any output; and an https://
 * endpoint that speaks plain HTTP said so in words, at once, instead of a raw OpenSSL error or a minute of
 * retries. Every output is captured for the secrets scan too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { kubeconfigVariant } from '@statestore/testkit/kube-apiserver';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from './support/cli.js';
import { cliEnv, freshStoreUrl, type ConfigStore } from './support/stores.js';

const STORES: ConfigStore[] = ['s3', 'gs', 'oss', 'swift', 'k8s'];
/** The method each service writes an object with (Cloud Storage uploads by POST, Kubernetes creates Secrets by POST). */
const WRITE_METHOD: Record<string, string> = { s3: 'PUT', gs: 'POST', oss: 'PUT', swift: 'PUT', k8s: 'POST' };
/** One request as -v 4 prints it: `GET http://127.0.0.1:9000/bucket/key → 200 in 3 ms`. */
const REQUEST_LINE = /^(GET|HEAD|PUT|POST|PATCH|DELETE) (https?:\/\/\S+) → (\d{3}) in \d+ ms( \(retry \d+\))?$/;

function requests(stderr: string): { method: string; url: string; status: number }[] {
  return stderr.split('\n').flatMap((line) => {
    const m = REQUEST_LINE.exec(line);
    return m ? [{ method: m[1]!, url: m[2]!, status: Number(m[3]) }] : [];
  });
}

/** Nothing but our own lines: no `(node:PID) Warning…` or `DeprecationWarning` of any library. */
function expectNoThirdPartyWarnings(output: string): void {
  expect(output).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
  expect(output).not.toMatch(/^\(node:\d+\)/m);
  expect(output).not.toMatch(/DeprecationWarning/);
}

function vaultEnv(): NodeJS.ProcessEnv {
  return { ...process.env, VAULT_TOKEN: inject('vault').rootToken, KOPS_FEATURE_FLAGS: '+VFSVaultSupport', HOME: mkdtempSync(path.join(os.tmpdir(), 'statestore-home-')) };
}

describe.each(STORES)('the CLI on %s', (store) => {
  it('-v 4 logs every request with its status (writes and reads), and prints no third-party warning', async () => {
    const url = await freshStoreUrl(store, mkdtempSync(path.join(os.tmpdir(), 'statestore-v4-')));
    const env = cliEnv(store);
    const created = await runCli(['create', 'cluster', 'logged.k8s.local', '--zones', 'us-east-1a', '--cloud', 'aws', '--state', url, '-v', '4'], env);
    expect(created.code, created.stderr).toBe(0);
    // The cluster's config, two instance groups and the addons file: one successful write each, at least.
    const writes = requests(created.stderr).filter((r) => r.method === WRITE_METHOD[store] && r.status >= 200 && r.status < 300);
    expect(writes.length, created.stderr).toBeGreaterThanOrEqual(4);
    expectNoThirdPartyWarnings(created.stdout + created.stderr);

    for (const spelling of [['-v=4'], ['--v=4'], ['--v', '4']]) {
      const listed = await runCli(['get', 'clusters', '--state', url, ...spelling], env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('logged.k8s.local');
      const reads = requests(listed.stderr).filter((r) => r.method === 'GET' && r.status === 200);
      expect(reads.length, `${spelling.join(' ')}: ${listed.stderr}`).toBeGreaterThanOrEqual(2);
      expectNoThirdPartyWarnings(listed.stdout + listed.stderr);
    }
    // Below -v 4 there is no request line.
    const quiet = await runCli(['get', 'clusters', '--state', url, '-v', '2'], env);
    expect(requests(quiet.stderr)).toEqual([]);
    expectNoThirdPartyWarnings(quiet.stdout + quiet.stderr);
  });
});

describe('the CLI on vault', () => {
  it('-v 4 logs the requests of a write and a read', async () => {
    const v = inject('vault');
    const url = `vault://${v.hostPort}/${v.kvMount}/v4-${randomUUID().slice(0, 8)}${v.tls ? '' : '?tls=false'}`;
    const local = path.join(mkdtempSync(path.join(os.tmpdir(), 'statestore-v4-')), 'ca.key');
    writeFileSync(local, 'not really a key');
    const target = url.replace(/(\?tls=false)?$/, '/ca.key$1');
    const written = await runCli(['cp', local, target, '-v', '4'], vaultEnv());
    expect(written.code, written.stderr).toBe(0);
    expect(requests(written.stderr).filter((r) => ['PUT', 'POST'].includes(r.method) && r.status < 300).length, written.stderr).toBeGreaterThanOrEqual(1);
    const read = await runCli(['cat', target, '-v', '4'], vaultEnv());
    expect(read.stdout).toBe('not really a key');
    expect(requests(read.stderr).some((r) => r.method === 'GET' && r.status === 200)).toBe(true);
    expectNoThirdPartyWarnings(written.stderr + read.stderr);
  });
});

describe('an https:// endpoint that speaks plain HTTP', () => {
  const minio = () => inject('minio').endpoint;
  const cases: [string, () => { url: string; env: NodeJS.ProcessEnv; endpoint: string }][] = [
    ['s3', () => ({ url: 's3://any-bucket/kops', env: { ...cliEnv('s3'), S3_ENDPOINT: minio().replace('http:', 'https:') }, endpoint: minio() })],
    ['gs', () => ({ url: 'gs://any-bucket/kops', env: { ...cliEnv('gs'), STORAGE_EMULATOR_HOST: inject('gcs').endpoint.replace('http:', 'https:') }, endpoint: inject('gcs').endpoint })],
    ['oss', () => ({ url: `oss://${inject('oss').bucket}/kops`, env: { ...cliEnv('oss'), OSS_ENDPOINT: inject('oss').endpoint.replace('http:', 'https:') }, endpoint: inject('oss').endpoint })],
    ['swift', () => ({ url: 'swift://any-container/kops', env: { ...cliEnv('swift'), OS_AUTH_URL: inject('swift').authUrl.replace('http:', 'https:') }, endpoint: new URL(inject('swift').authUrl).origin })],
    // kube-apiserver always speaks TLS: point the kubeconfig at a server that does not (MinIO's port).
    ['k8s', () => ({ url: `k8s://${inject('kube').namespace}/kops`, env: { ...cliEnv('k8s'), KUBECONFIG: kubeconfigVariant(inject('kube'), { server: minio().replace('http:', 'https:') }) }, endpoint: minio() })],
  ];

  it.each(cases)('%s: says so and names the endpoint, at once (no retries, no OpenSSL text)', async (_store, setup) => {
    const { url, env, endpoint } = setup();
    const r = await runCli(['ls', url], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('in plain HTTP, not HTTPS');
    if (_store !== 'oss') expect(r.stderr).toContain(`Set the endpoint to ${endpoint}`);
    expect(r.stderr).not.toMatch(/ssl3_get_record|wrong version number|gave up after/);
  });

  it('vault: says so and says ?tls=false', async () => {
    const v = inject('vault');
    const r = await runCli(['ls', `vault://${v.hostPort}/${v.kvMount}/kops`], vaultEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Vault answers in plain HTTP, not HTTPS. End the URL with ?tls=false');
    expect(r.stderr).not.toMatch(/ssl3_get_record|gave up after/);
  });
});
