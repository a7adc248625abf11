/**
 * Vault never holds cluster configuration, but it holds secrets: through the library, one secret's history on a
 * real OpenBao (KV version 2), its rollback to each earlier content, and its undelete. The journal of a Vault
 * secret store is kept in that Vault (under `.statestore/history/`), so secret bytes never leave it.
 */
import { randomUUID } from 'node:crypto';
import { Operation, readHistory, resolvePath, type VfsPath } from '@statestore/core';
import { rollback, undelete } from '@statestore/core/config';
import { describe, expect, inject, it } from 'vitest';

const CLUSTER = 'vault-history.example.com';

function vaultEnv(): NodeJS.ProcessEnv {
  return { ...process.env, VAULT_TOKEN: inject('vault').rootToken, KOPS_FEATURE_FLAGS: '+VFSVaultSupport' };
}

async function secretStore(): Promise<VfsPath> {
  const v = inject('vault');
  return resolvePath(`vault://${v.hostPort}/${v.kvMount}/history-${randomUUID().slice(0, 8)}${v.tls ? '' : '?tls=false'}`, { env: vaultEnv() });
}

/** One revision: `fn` with the secret store journaled, attributed to `actor`. */
async function as(store: VfsPath, actor: string, message: string, fn: (tracked: VfsPath) => Promise<unknown>): Promise<string> {
  const op = new Operation(store, { attribution: { actor, message } });
  await fn(op.track(store));
  return op.revision;
}

describe('history of a Vault secret (OpenBao, through the library)', () => {
  it('lists each change of the secret, rolls back to each content, and undeletes it', async () => {
    const store = await secretStore();
    const secret = (s: VfsPath) => s.join(CLUSTER, 'secrets', 'admin');
    const contents = ['{"Data":"c2VjcmV0LTE="}', '{"Data":"c2VjcmV0LTI="}', '{"Data":"c2VjcmV0LTM="}'];
    const ids: string[] = [];
    ids.push(await as(store, 'alice', 'create', (s) => secret(s).createFile(contents[0]!)));
    ids.push(await as(store, 'bob', 'rotate', (s) => secret(s).updateFile(() => contents[1]!)));
    ids.push(await as(store, 'carol', 'rotate again', (s) => secret(s).updateFile(() => contents[2]!)));

    const { revisions } = await readHistory(store, CLUSTER);
    expect(revisions.map((r) => [r.id, r.attribution?.actor, r.files])).toEqual([
      [ids[2], 'carol', [{ path: 'secrets/admin', change: 'changed' }]],
      [ids[1], 'bob', [{ path: 'secrets/admin', change: 'changed' }]],
      [ids[0], 'alice', [{ path: 'secrets/admin', change: 'added' }]],
    ]);

    await rollback(store, CLUSTER, ids[0]!);
    expect(await secret(store).readText()).toBe(contents[0]);
    await rollback(store, CLUSTER, ids[1]!);
    expect(await secret(store).readText()).toBe(contents[1]);

    await as(store, 'dave', 'remove', (s) => secret(s).remove());
    expect(await secret(store).exists()).toBe(false);
    await undelete(store, CLUSTER);
    expect(await secret(store).readText()).toBe(contents[1]);
    // The journal stays in Vault, next to the secrets.
    expect((await store.join('.statestore', 'history', CLUSTER, 'blobs').readDir()).length).toBe(3);
  });

  it('undelete brings back every file of a deleted cluster folder', async () => {
    const store = await secretStore();
    await as(store, 'alice', 'create', async (s) => {
      await s.join(CLUSTER, 'config').createFile('kind: Cluster\n');
      await s.join(CLUSTER, 'secrets', 'admin').createFile('{"Data":"YQ=="}');
      await s.join(CLUSTER, 'secrets', 'kube').createFile('{"Data":"Yg=="}');
    });
    await as(store, 'bob', 'delete', (s) => s.join(CLUSTER).removeAll());
    expect(await store.join(CLUSTER).readTree()).toEqual([]);
    await undelete(store, CLUSTER);
    expect(await store.join(CLUSTER, 'secrets', 'admin').readText()).toBe('{"Data":"YQ=="}');
    expect(await store.join(CLUSTER, 'secrets', 'kube').readText()).toBe('{"Data":"Yg=="}');
  });
});
