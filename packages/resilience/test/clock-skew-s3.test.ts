/**
 * A machine whose wall clock is 20 minutes off, against S3 (MinIO refuses signatures more than 15 minutes
 * off, as AWS does): every s3:// command still works, under both S3 clients, because after the first
 * refusal requests are signed with the server's time (the SDK's clock-skew correction, which the fast
 * client shares), and core's retry sends the refused request again. Before, every command failed with
 * "Permission denied … Allow s3:GetObject", advice that could not help.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { cliEnv, freshStoreUrl } from './support/stores.js';

const SKEW_HOOK = path.resolve(import.meta.dirname, '../../testkit/dist/skew-clock.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'clock-skew-'));

describe.each(['fast', 'sdk'])('s3:// with the %s client, on a machine whose clock is 20 minutes off', (client) => {
  it.each([20, -20])('%i min: create, set and get work', async (minutes) => {
    const env = {
      ...cliEnv('s3'),
      STATESTORE_S3_CLIENT: client,
      NODE_OPTIONS: `--import ${SKEW_HOOK}`,
      STATESTORE_TEST_CLOCK_SKEW_MS: String(minutes * 60_000),
    };
    const state = ['--state', await freshStoreUrl('s3', tmp)];
    const created = await runCli(['create', 'cluster', 'skew.k8s.local', '--zones', 'us-east-1a', '--cloud', 'aws', ...state], env);
    expect(created.code, created.stderr).toBe(0);
    const set = await runCli(['set', 'cluster', 'skew.k8s.local', 'spec.kubernetesVersion=1.30.9', ...state], env);
    expect(set.code, set.stderr).toBe(0);
    const got = await runCli(['get', 'cluster', 'skew.k8s.local', '-o', 'json', ...state], env);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout).spec.kubernetesVersion).toBe('1.30.9');
    expect(`${created.stderr}${set.stderr}${got.stderr}`).not.toContain('Permission denied');
  });
});
