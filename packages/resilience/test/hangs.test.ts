/**
 * No hangs: every backend's command ends within its deadline when its server stalls (never answers),
 * trickles a body (headers at once, then a byte every 250 ms: no idle timeout ever fires) or trickles even
 * its headers. Small local servers on 127.0.0.1 misbehave; the built CLI runs with STATESTORE_TIMEOUT=1 at
 * -v 2, is killed if it outlives the deadline that core's retry policy and request deadline give it, and
 * must end by itself: with exit code 1, a message, and nothing left open that the CLI had to cut short.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffDelay } from '@statestore/core';
import { REQUEST_DEADLINE_TIMEOUTS } from '@statestore/core/driver-kit';
import { kubeconfigVariant } from '@statestore/testkit/kube-apiserver';
import { loopbackEnv } from '@statestore/testkit/loopback';
import { startStallingServer, type Misbehaviour, type StallingServer } from '@statestore/testkit/stalling-server';
import { runCli } from './support/cli.js';

const TIMEOUT_S = 1;
/** Every attempt may take the request deadline, then wait the longest backoff; the retry policy stops both. */
const ATTEMPT_MS = REQUEST_DEADLINE_TIMEOUTS * TIMEOUT_S * 1000;
const RETRIES_MS = Array.from({ length: DEFAULT_RETRY_POLICY.maxAttempts }, (_, i) => ATTEMPT_MS + (i === 0 ? 0 : backoffDelay(DEFAULT_RETRY_POLICY, i, () => 1))).reduce((a, b) => a + b, 0);
/** Starting Node and an SDK on a busy two-core machine, with two dozen commands at once. */
const STARTUP_MS = 15_000;
const COMMAND_DEADLINE_MS = Math.min(RETRIES_MS, DEFAULT_RETRY_POLICY.deadlineMs + ATTEMPT_MS) + STARTUP_MS;

const MODES: Misbehaviour[] = ['stall', 'trickle', 'trickle-headers'];
const servers = new Map<Misbehaviour, StallingServer>();
const home = mkdtempSync(path.join(os.tmpdir(), 'statestore-hangs-'));

beforeAll(async () => {
  for (const mode of MODES) servers.set(mode, await startStallingServer(mode));
});
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.close()));
});

/** The URL and environment that point a backend at `endpoint` (nothing else from this machine but the loopback guard). */
function target(backend: string, endpoint: string): { url: string; env: NodeJS.ProcessEnv } {
  const base = { ...loopbackEnv({}), PATH: process.env.PATH, HOME: home, STATESTORE_TIMEOUT: String(TIMEOUT_S) };
  const hostPort = new URL(endpoint).host;
  switch (backend) {
    case 's3':
      return { url: 's3://stalled/store/config', env: { ...base, S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: 'hang-test', S3_SECRET_ACCESS_KEY: 'hang-test-secret' } };
    case 'gs':
      return { url: 'gs://stalled/store/config', env: { ...base, STORAGE_EMULATOR_HOST: endpoint } };
    case 'swift':
      return {
        url: 'swift://stalled/store/config',
        env: { ...base, OS_AUTH_URL: `${endpoint}/v3`, OS_USERNAME: 'u', OS_PASSWORD: 'hang-test', OS_PROJECT_NAME: 'p', OS_DOMAIN_NAME: 'Default' },
      };
    case 'k8s':
      return { url: `k8s://${inject('kube').namespace}/store/config`, env: { ...base, KUBECONFIG: kubeconfigVariant(inject('kube'), { server: endpoint }) } };
    case 'oss':
      return { url: 'oss://stalled/store/config', env: { ...base, OSS_ENDPOINT: endpoint, OSS_REGION: 'oss-cn-hangzhou', ALIYUN_ACCESS_KEY_ID: 'hang-test', ALIYUN_ACCESS_KEY_SECRET: 'hang-test-secret' } };
    default:
      return { url: `vault://${hostPort}/secret/store/config?tls=false`, env: { ...base, VAULT_TOKEN: 'hang-test-token', STATESTORE_FEATURE_FLAGS: 'VFSVaultSupport' } };
  }
}

describe('every command ends when its server stalls or trickles', () => {
  it(`cat on s3, gs, swift, oss, vault and k8s, and ls on a trickle: each ends by itself within ${COMMAND_DEADLINE_MS / 1000} s`, async () => {
    const cases: { label: string; args: string[]; env: NodeJS.ProcessEnv }[] = [];
    for (const backend of ['s3', 'gs', 'swift', 'oss', 'vault', 'k8s']) {
      for (const mode of MODES) {
        const { url, env } = target(backend, servers.get(mode)!.endpoint);
        cases.push({ label: `${backend} cat, ${mode}`, args: ['cat', url, '-v', '2'], env });
        if (mode === 'trickle') cases.push({ label: `${backend} ls, ${mode}`, args: ['ls', url.replace('/config', '/'), '-v', '2'], env });
      }
    }
    const results = await Promise.all(cases.map(async (c) => ({ ...c, result: await runCli(c.args, c.env, COMMAND_DEADLINE_MS) })));
    const outcome = results.map(({ label, result }) => ({
      label,
      code: result.code,
      message: /statestore (cat|ls): .+/.test(result.stderr),
      cutShort: result.stderr.includes('exiting with work still open'),
    }));
    expect(outcome).toEqual(results.map(({ label }) => ({ label, code: 1, message: true, cutShort: false })));
    for (const mode of MODES) expect(servers.get(mode)!.requests.length, mode).toBeGreaterThan(0);
  });
});
