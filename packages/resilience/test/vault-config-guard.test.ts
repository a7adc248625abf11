/**
 * Vault never holds cluster configuration, on every path that writes it (the seeds' rule for vault://),
 * checked through the built CLI against a real OpenBao: `migrate --to vault://` and `export --to vault://`
 * are refused before anything is copied, `set spec.configBase=vault://` is refused and the config left as
 * it was, and a config edited by hand to a vault:// configBase makes `update` say the rule instead of
 * failing on a mangled `…%3Ftls=false/…` URL. Vault is read back afterwards: nothing arrived.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { isNotFound, resolvePath } from '@statestore/core';
import { runCli } from './support/cli.js';

const NAME = 'vault-guard.example.com';

function vaultEnv(): NodeJS.ProcessEnv {
  return { ...process.env, VAULT_TOKEN: inject('vault').rootToken, KOPS_FEATURE_FLAGS: '+VFSVaultSupport', HOME: mkdtempSync(path.join(os.tmpdir(), 'statestore-home-')) };
}

/** A vault:// folder on the test OpenBao, unique to this run. */
function vaultUrl(): string {
  const v = inject('vault');
  return `vault://${v.hostPort}/${v.kvMount}/kops-${randomUUID().slice(0, 8)}${v.tls ? '' : '?tls=false'}`;
}

/** Every key below `url` in Vault (none when the folder does not exist). */
async function keysInVault(url: string): Promise<string[]> {
  try {
    const root = await resolvePath(url, { env: vaultEnv() });
    return (await root.readTree()).map((f) => f.relativeTo(root) ?? f.toString());
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

async function fileStoreWithCluster(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'statestore-vault-guard-'));
  const created = await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', '--state', dir], vaultEnv());
  expect(created.code, created.stderr).toBe(0);
  return dir;
}

describe('vault:// never becomes the config store', () => {
  it('migrate --to vault:// and export --to vault:// are refused, and nothing arrives in Vault', async () => {
    const state = await fileStoreWithCluster();
    for (const command of ['migrate', 'export']) {
      const target = vaultUrl();
      const r = await runCli([command, NAME, '--state', state, '--to', target], vaultEnv());
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toContain(`cannot be where ${command} writes a cluster (--to): vault:// holds a cluster's secrets and keys only`);
      expect(r.stdout).not.toMatch(/use --state|rewrote/);
      expect(await keysInVault(target)).toEqual([]);
    }
  });

  it('set spec.configBase=vault://… is refused and the config is left as it was', async () => {
    const state = await fileStoreWithCluster();
    const config = path.join(state, NAME, 'config');
    const before = readFileSync(config, 'utf8');
    const r = await runCli(['set', 'cluster', NAME, `spec.configBase=${vaultUrl()}`, '--state', state], vaultEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot be spec\.configBase of cluster vault-guard\.example\.com: vault:\/\/ holds a cluster's secrets and keys only/);
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('update on a config whose configBase was edited to vault:// by hand says the rule, never a mangled URL', async () => {
    const state = await fileStoreWithCluster();
    const config = path.join(state, NAME, 'config');
    const base = vaultUrl();
    writeFileSync(config, readFileSync(config, 'utf8').replace(/configBase: .*/, `configBase: ${base}`));
    const r = await runCli(['update', 'cluster', NAME, '--state', state], vaultEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${base} cannot be spec.configBase of cluster ${NAME}`);
    expect(r.stderr).not.toContain('%3F');
    expect(await keysInVault(base)).toEqual([]);
  });
});
