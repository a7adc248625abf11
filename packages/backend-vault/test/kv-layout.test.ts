/**
 * What is specific to Vault, checked against the real server with a raw HTTP client (not node-vault): kops's
 * KV v2 layout, check-and-set versions, soft-deleted and destroyed secrets, removing every version, secrets
 * written by other tools, and the errors for a KV v1 mount, a missing mount, a missing permission and a
 * namespace.
 */
import { randomUUID } from 'node:crypto';
import { isAlreadyExists, isInvalidConfig, isNotFound, isPermissionDenied, isPreconditionFailed, isUnsupported, resolvePath } from '@statestore/core';
import { describe, expect, inject, it } from 'vitest';
import { freshRoot, openVault, raw, rawOk, registry, tokenWithPolicy, vaultEnv, vaultUrl } from './helpers.js';

const server = inject('openbao');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

describe("kops's KV v2 layout", () => {
  it('one secret per file at <mount>/data/<path>, bytes base64 under "file"; folders from <mount>/metadata/', async () => {
    const root = await freshRoot(server);
    await root.join('pki/private/ca/keyset.yaml').writeFile('keyset: private');
    await root.join('secrets/admin').writeFile(new Uint8Array([0, 255, 1]));
    const secret = await rawOk(server, 'GET', `secret/data/${root.key}/pki/private/ca/keyset.yaml`);
    expect(secret.data.data.file).toBe(b64('keyset: private'));
    // Beside kops's "file": the write metadata core keeps to prove its own writes.
    expect(Object.keys(secret.data.data).sort()).toEqual(['file', 'metadata']);
    expect(secret.data.data.metadata['statestore-write']).toMatch(/^[0-9a-f-]{36}$/);
    expect(secret.data.metadata.version).toBe(1);
    expect((await rawOk(server, 'GET', `secret/data/${root.key}/secrets/admin`)).data.data.file).toBe(Buffer.from([0, 255, 1]).toString('base64'));
    const listed = await rawOk(server, 'LIST', `secret/metadata/${root.key}`);
    expect(listed.data.keys.sort()).toEqual(['pki/', 'secrets/']);
    expect(root.join('secrets/admin').toString()).toBe(`vault://${server.hostPort}/secret/${root.key}/secrets/admin?tls=false`);
  });

  it('reads and lists what kops wrote (ReadDir of subdir1/foo, subdir2/foo, test.data)', async () => {
    const base = `run-${randomUUID()}`;
    for (const p of ['subdir1/foo', 'subdir2/foo', 'test.data']) await rawOk(server, 'POST', `secret/data/${base}/${p}`, { data: { file: b64(`kops ${p}`) } });
    const root = await openVault(server, base);
    expect((await root.readDir()).map((e) => [e.name, e.isDirectory])).toEqual([
      ['subdir1', true],
      ['subdir2', true],
      ['test.data', false],
    ]);
    expect((await root.readTree()).map((p) => p.relativeTo(root)).sort()).toEqual(['subdir1/foo', 'subdir2/foo', 'test.data']);
    expect(await root.join('subdir2/foo').readText()).toBe('kops subdir2/foo');
    expect((await root.join('test.data').stat()).size).toBe('kops test.data'.length);
  });

  it('version tokens are KV versions with their created_time: createFile is cas 0, a compare-and-swap is cas <version>', async () => {
    const f = (await freshRoot(server)).join('config');
    expect((await f.createFile('one')).version).toMatch(/^1@\d{4}-/);
    expect(isAlreadyExists(await failure(f.createFile('two')))).toBe(true);
    const second = await f.backend.write(f.key, new TextEncoder().encode('two'), { ifMatch: '1' });
    expect(second.version).toMatch(/^2@/);
    expect(isPreconditionFailed(await failure(f.backend.write(f.key, new TextEncoder().encode('stale'), { ifMatch: '1' })))).toBe(true);
    expect(isPreconditionFailed(await failure(f.backend.write(f.key, new TextEncoder().encode('junk'), { ifMatch: 'etag-from-elsewhere' })))).toBe(true);
    const read = await f.backend.read(f.key);
    expect(read.info.version).toBe(second.version);
    expect((await rawOk(server, 'GET', `secret/metadata/${f.key}`)).data.current_version).toBe(2);
  });
});

describe('soft-deleted and destroyed secrets count as missing', () => {
  it('a soft-deleted latest version: not found, not listed, and createFile writes over it', async () => {
    const root = await freshRoot(server);
    await root.join('gone').writeFile('old');
    await root.join('kept').writeFile('kept');
    await rawOk(server, 'DELETE', `secret/data/${root.key}/gone`);
    expect(await root.join('gone').exists()).toBe(false);
    expect(isNotFound(await failure(root.join('gone').readFile()))).toBe(true);
    expect((await root.readDir()).map((e) => e.name)).toEqual(['kept']);
    expect((await root.readTree()).map((p) => p.base())).toEqual(['kept']);
    expect((await root.join('gone').createFile('new')).version).toMatch(/^2@/);
    expect(await root.join('gone').readText()).toBe('new');
  });

  it('16 concurrent createFile over a soft-deleted secret: exactly one winner', async () => {
    const f = (await freshRoot(server)).join('race');
    await f.writeFile('v1');
    await f.writeFile('v2');
    await rawOk(server, 'DELETE', `secret/data/${f.key}`);
    const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => f.createFile(`writer ${i}`)));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners.length).toBe(1);
    for (const r of results) if (r.status === 'rejected') expect(isAlreadyExists(r.reason)).toBe(true);
    expect(await f.readText()).toMatch(/^writer \d+$/);
    expect((await rawOk(server, 'GET', `secret/metadata/${f.key}`)).data.current_version).toBe(3);
  });

  it('a destroyed latest version is missing too', async () => {
    const f = (await freshRoot(server)).join('destroyed');
    await f.writeFile('secret');
    await rawOk(server, 'PUT', `secret/destroy/${f.key}`, { versions: [1] });
    expect(await f.exists()).toBe(false);
    await f.createFile('again');
    expect(await f.readText()).toBe('again');
  });
});

describe('removal', () => {
  it('remove deletes the metadata: every version goes, and versions start again at 1', async () => {
    const f = (await freshRoot(server)).join('file');
    await f.writeFile('1');
    await f.writeFile('2');
    await f.remove();
    expect((await raw(server, 'GET', `secret/metadata/${f.key}`)).status).toBe(404);
    expect((await f.createFile('3')).version).toMatch(/^1@/);
  });

  it('issue 16 case 6, Vault ABA: a version read before a delete and re-create never matches the new secret', async () => {
    const f = (await freshRoot(server)).join('config');
    const before = await f.writeFile('from the deleted secret');
    await f.remove();
    const recreated = await f.createFile('new secret');
    expect(recreated.version.split('@')[0]).toBe(before.version.split('@')[0]); // the number repeats…
    expect(recreated.version).not.toBe(before.version); // …the token does not
    expect(isPreconditionFailed(await failure(f.replaceFile('computed from the deleted one', { ifMatch: before.version })))).toBe(true);
    expect(await f.readText()).toBe('new secret');
  });

  it('remove with ifMatch is Unsupported (Vault has no conditional delete; the check-then-delete it did was racy) and keeps the file', async () => {
    const f = (await freshRoot(server)).join('file');
    const written = await f.writeFile('1');
    expect(f.backend.capabilities.conditionalDelete).toBe(false);
    expect(isUnsupported(await failure(f.remove({ ifMatch: written.version })))).toBe(true);
    expect(await f.readText()).toBe('1');
  });

  it('removeAll walks LIST recursively and removes only below the folder', async () => {
    const root = await freshRoot(server);
    for (const k of ['a/1', 'a/b/2', 'a/b/c/3', 'a2/x']) await root.join(k).writeFile(k);
    expect(await root.join('a').removeAll()).toBe(3);
    expect((await raw(server, 'LIST', `secret/metadata/${root.key}/a`)).status).toBe(404);
    expect((await root.readTree()).map((p) => p.relativeTo(root))).toEqual(['a2/x']);
  });
});

describe('size', () => {
  it("a file over Vault's max_request_size (32 MiB by default, so 24 MiB of bytes once base64-encoded) is Unsupported and nothing is stored", async () => {
    const f = (await freshRoot(server, { retry: { maxAttempts: 1 } })).join('too-large.bin');
    const e = await failure(f.writeFile(new Uint8Array(24 * 1024 * 1024)));
    expect(isUnsupported(e)).toBe(true);
    expect(e!.message).toContain('max_request_size');
    expect(e!.message).toContain(f.toString());
    expect(await f.exists()).toBe(false);
  });
});

describe('secrets that are not files', () => {
  it('a secret without "file" (written by another tool) is Unsupported to read and left out of listings', async () => {
    const root = await freshRoot(server);
    await rawOk(server, 'POST', `secret/data/${root.key}/app-password`, { data: { password: 'p' } });
    await root.join('real').writeFile('x');
    const e = await failure(root.join('app-password').readFile());
    expect(isUnsupported(e)).toBe(true);
    expect(e!.message).toContain('without a "file" key');
    expect((await root.readDir()).map((d) => d.name)).toEqual(['real']);
  });
});

describe('configuration errors', () => {
  it('a KV version 1 mount is refused with the command that upgrades it', async () => {
    const mount = `kv1-${randomUUID().slice(0, 8)}`;
    await rawOk(server, 'POST', `sys/mounts/${mount}`, { type: 'kv', options: { version: '1' } });
    const f = await openVault(server, 'clusters/a/secret', { mount });
    const e = await failure(f.writeFile('x'));
    expect(isInvalidConfig(e)).toBe(true);
    expect(e!.message).toContain(`vault kv enable-versioning ${mount}`);
    expect((await raw(server, 'GET', `${mount}/data/clusters/a/secret`)).status).toBe(404);
  });

  it('a missing mount names the mount and how to enable one', async () => {
    const f = await openVault(server, 'clusters/a/secret', { mount: 'no-such-mount' });
    const e = await failure(f.writeFile('x'));
    expect(isNotFound(e)).toBe(true);
    expect(e!.message).toContain('no secrets engine is mounted at "no-such-mount/"');
    expect(e!.message).toContain('vault secrets enable -path=no-such-mount kv-v2');
  });

  it('permission denied names the policy path and capability that were needed, never the token', async () => {
    const base = `run-${randomUUID()}`;
    await rawOk(server, 'POST', `secret/data/${base}/readable`, { data: { file: b64('ok') } });
    const token = await tokenWithPolicy(server, { [`secret/data/${base}/*`]: ['read'] });
    const root = await resolvePath(vaultUrl(server, base), { registry, env: vaultEnv(server, { VAULT_TOKEN: token }) });
    expect(await root.join('readable').readText()).toBe('ok');
    const write = await failure(root.join('new-file').createFile('x'));
    expect(isPermissionDenied(write)).toBe(true);
    expect(write!.message).toContain(`path "secret/data/${base}/new-file" { capabilities = ["create"] }`);
    expect(write!.message).toContain(root.join('new-file').toString());
    expect(write!.message).not.toContain(token);
    const list = await failure(root.readDir());
    expect(isPermissionDenied(list)).toBe(true);
    expect(list!.message).toContain(`path "secret/metadata/${base}/" { capabilities = ["list"] }`);
    const remove = await failure(root.join('readable').remove());
    expect(remove!.message).toContain(`path "secret/metadata/${base}/readable" { capabilities = ["delete"] }`);
  });

  it('VAULT_NAMESPACE sends every request into that namespace', async () => {
    const namespace = `team-${randomUUID().slice(0, 8)}`;
    await rawOk(server, 'POST', `sys/namespaces/${namespace}`, {});
    const inNamespace = { 'X-Vault-Namespace': namespace };
    const mounted = await raw(server, 'POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } }, server.rootToken, inNamespace);
    expect(mounted.status).toBeLessThan(300);
    const f = await resolvePath(vaultUrl(server, 'clusters/a/secrets/admin', 'kv'), { registry, env: vaultEnv(server, { VAULT_NAMESPACE: namespace }) });
    await f.writeFile('namespaced');
    const stored = await raw(server, 'GET', 'kv/data/clusters/a/secrets/admin', undefined, server.rootToken, inNamespace);
    expect(stored.body.data.data.file).toBe(b64('namespaced'));
    expect((await raw(server, 'GET', 'kv/data/clusters/a/secrets/admin')).status).toBe(404);
  });
});
