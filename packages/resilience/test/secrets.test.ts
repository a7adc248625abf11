/**
 * Credentials never appear in any output: a battery of failing and succeeding operations on every
 * backend, through the CLI at the highest verbosity and in-process (messages and full inspections of
 * errors with their causes), plus every CLI output the rest of this suite captured, is scanned for the
 * test credentials. The battery includes credentials where users put them by mistake: `user:password@` in
 * an endpoint variable, a key pair pasted into the store URL (secret with `/`), `?token=`,
 * `X-Amz-Signature=` and `X-Amz-Credential=`. Any hit fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { resolvePath } from '@statestore/core';
import { FORM_SECRETS, credentialUrls, withUserinfo } from '@statestore/testkit/credential-forms';
import { CAPTURE_DIR, runCli } from './support/cli.js';
import { cliEnv, freshStoreUrl, kubeconfigWithToken, type ConfigStore } from './support/stores.js';

const WRONG_SECRET = 'WrongSecret-9f8e7d6c5b4a';

function secrets(): string[] {
  const m = inject('minio');
  const o = inject('oss');
  const s = inject('swift');
  const v = inject('vault');
  const k = inject('kube').tokens;
  return [m.secretAccessKey, o.accessKeySecret, s.key, v.rootToken, k.admin, k.user, k.readonly, WRONG_SECRET, ...FORM_SECRETS].filter((x) => x.length >= 6 || x === s.key);
}

function vaultEnv(token: string): NodeJS.ProcessEnv {
  return { ...process.env, VAULT_TOKEN: token, STATESTORE_FEATURE_FLAGS: 'VFSVaultSupport' };
}

const captured: string[] = [];
function record(label: string, text: string) {
  captured.push(`--- ${label}\n${text}`);
}

async function inProcess(label: string, op: () => Promise<unknown>) {
  try {
    record(label, inspect(await op(), { depth: 6 }));
  } catch (e) {
    record(label, `${String(e)}\n${inspect(e, { depth: 8 })}`);
  }
}

describe('secrets never appear in output', () => {
  it('credentials where users put them by mistake, on every backend (scanned with the rest below)', async () => {
    await credentialsWhereUsersPutThem();
  });

  it('CLI at -v 10 and in-process errors, on every backend, with right and wrong credentials', async () => {
    for (const store of ['s3', 'gs', 'oss', 'swift', 'k8s'] as ConfigStore[]) {
      const env = cliEnv(store);
      const url = await freshStoreUrl(store, '/tmp');
      const wrong =
        store === 'k8s'
          ? { ...env, KUBECONFIG: kubeconfigWithToken(WRONG_SECRET) }
          : { ...env, S3_SECRET_ACCESS_KEY: WRONG_SECRET, ALIYUN_ACCESS_KEY_SECRET: WRONG_SECRET, OS_PASSWORD: WRONG_SECRET };
      for (const [label, e, args] of [
        ['create', env, ['create', 'cluster', 'leak.k8s.local', '--zones', 'us-east-1a', '--cloud', 'aws', '--state', url, '-v', '10']],
        ['get', env, ['get', 'cluster', 'leak.k8s.local', '-o', 'yaml', '--state', url, '-v', '10']],
        ['doctor', env, ['doctor', url, '-v', '10']],
        ['doctor-json', env, ['doctor', url, '-o', 'json', '-v', '10']],
        ['wrong-secret', wrong, ['get', 'clusters', '--state', url, '-v', '10']],
        ['wrong-secret-doctor', wrong, ['doctor', url, '-v', '10']],
        ['missing', env, ['cat', `${url}/nope`, '-v', '10']],
      ] as const) {
        const r = await runCli([...args], e as NodeJS.ProcessEnv);
        record(`${store} ${label}`, `${r.stdout}\n${r.stderr}`);
      }
      if (store !== 'gs') {
        await inProcess(`${store} wrong secret in-process`, async () => (await resolvePath(`${url}/x`, { env: wrong, retry: { maxAttempts: 1 } })).readFile());
      }
    }
    const v = inject('vault');
    const vaultUrl = `vault://${v.hostPort}/${v.kvMount}/leak?tls=false`;
    for (const [label, token] of [['vault right token', v.rootToken], ['vault wrong token', WRONG_SECRET]] as const) {
      const r = await runCli(['cat', `${vaultUrl}/nope`, '-v', '10'], vaultEnv(token));
      record(`${label} cli`, `${r.stdout}\n${r.stderr}`);
      const d = await runCli(['doctor', vaultUrl, '-v', '10'], vaultEnv(token));
      record(`${label} doctor`, `${d.stdout}\n${d.stderr}`);
      await inProcess(`${label} in-process`, async () => (await resolvePath(`${vaultUrl}/x`, { env: vaultEnv(token), retry: { maxAttempts: 1 } })).readFile());
    }
    // The battery must have produced real failures to be meaningful.
    const all = captured.join('\n');
    expect(all).toMatch(/PermissionDenied|permission|denied|403|SignatureDoesNotMatch/i);
    expect(all).toMatch(/not found|NotFound/i);
    for (const file of safeList(CAPTURE_DIR)) captured.push(readFileSync(path.join(CAPTURE_DIR, file), 'utf8'));
    // Lines `$ statestore ARGS` are the commands the suite typed (inputs, with credentials on purpose), not output.
    const text = captured.join('\n').replace(/^\$ statestore .*$/gm, '$ statestore …');
    const hits = secrets().filter((s) => text.includes(s));
    expect(hits.map((h) => `${h.slice(0, 3)}…(${h.length} chars)`)).toEqual([]);
    process.stderr.write(`[resilience] secrets scan: ${text.length} characters of output scanned for ${secrets().length} credentials, 0 hits\n`);
  });
});

/** The endpoint variable of each backend that has one, with `user:password@` in it. */
function endpointWithPassword(store: ConfigStore, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv[] {
  if (store === 's3') {
    const aws = { AWS_REGION: env.S3_REGION, AWS_ACCESS_KEY_ID: env.S3_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: env.S3_SECRET_ACCESS_KEY, AWS_EC2_METADATA_DISABLED: 'true' };
    return [
      { ...env, S3_ENDPOINT: withUserinfo(env.S3_ENDPOINT!) },
      { ...env, ...aws, S3_ENDPOINT: '', AWS_ENDPOINT_URL_S3: withUserinfo(env.S3_ENDPOINT!) },
    ];
  }
  if (store === 'gs') return [{ ...env, STORAGE_EMULATOR_HOST: withUserinfo(env.STORAGE_EMULATOR_HOST!) }];
  if (store === 'oss') return [{ ...env, OSS_ENDPOINT: withUserinfo(env.OSS_ENDPOINT!) }];
  if (store === 'swift') return [{ ...env, OS_AUTH_URL: withUserinfo(env.OS_AUTH_URL!) }];
  return [];
}

/** Every backend through the CLI at -v 10: store URLs with credentials in them, and endpoints with a password. */
async function credentialsWhereUsersPutThem() {
  const v = inject('vault');
  const stores: [string, NodeJS.ProcessEnv, string[]][] = [];
  for (const store of ['s3', 'gs', 'oss', 'swift', 'k8s'] as ConfigStore[]) {
    const env = cliEnv(store);
    const url = await freshStoreUrl(store, '/tmp');
    const host = /^[a-z0-9]+:\/\/([^/]+)/.exec(url)![1]!;
    stores.push([store, env, credentialUrls(store, host, 'leak/config').map((c) => c.url)]);
    for (const [i, e] of endpointWithPassword(store, env).entries()) {
      for (const args of [['create', 'cluster', 'leak.k8s.local', '--zones', 'us-east-1a', '--cloud', 'aws', '--state', url], ['get', 'clusters', '--state', url], ['doctor', url, '-o', 'json'], ['cat', `${url}/nope`]]) {
        const r = await runCli([...args, '-v', '10'], e);
        record(`${store} endpoint with a password: ${args[0]}`, `${r.stdout}\n${r.stderr}`);
        // The endpoint still works without the user information (S3's AWS mode addresses MinIO by host name and cannot).
        if (i === 0 && args[0] === 'get') expect(r.stdout, r.stderr).toContain('leak.k8s.local');
      }
    }
  }
  stores.push(['vault', vaultEnv(v.rootToken), credentialUrls('vault', v.hostPort, `${v.kvMount}/leak/config`, '?tls=false').map((c) => c.url)]);
  for (const [store, env, urls] of stores) {
    for (const url of urls) {
      for (const args of [['cat', url], ['ls', url], ['doctor', url, '-o', 'json']]) {
        const r = await runCli([...args, '-v', '10'], env);
        record(`${store} credentials in the URL: ${args[0]}`, `${r.stdout}\n${r.stderr}`);
      }
      await inProcess(`${store} credentials in the URL, in-process`, async () => (await resolvePath(url, { env, retry: { maxAttempts: 1 } })).readFile());
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
