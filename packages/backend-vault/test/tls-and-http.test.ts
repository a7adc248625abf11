/**
 * HTTP settings against a second, real OpenBao started with dev mode's TLS certificate: TLS by default,
 * VAULT_CACERT, VAULT_SKIP_VERIFY, `?tls=false` meeting a TLS listener, a proxy from the environment given to
 * open (a CONNECT proxy on 127.0.0.1 that counts tunnels), and STATESTORE_TIMEOUT against a server that
 * never answers.
 */
import net from 'node:net';
import { inspect } from 'node:util';
import { isInvalidConfig, isTransient, resolvePath } from '@statestore/core';
import { startOpenBao, type RunningOpenBao } from '@statestore/testkit/openbao';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from './helpers.js';

// node-vault's HTTP layer (axios) reads proxy variables of the process itself; this file sets its own.
for (const v of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[v];

let tls: RunningOpenBao;
beforeAll(async () => {
  tls = await startOpenBao({ tls: true });
});
afterAll(async () => tls?.stop());

const flag = { KOPS_FEATURE_FLAGS: 'VFSVaultSupport' };
const noRetry = { retry: { maxAttempts: 1 } };
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

describe('TLS (the default)', () => {
  it('VAULT_CACERT trusts the CA; the printed URL has no query', async () => {
    const f = await resolvePath(`vault://${tls.hostPort}/secret/tls/file`, { registry, env: { ...flag, VAULT_TOKEN: tls.rootToken, VAULT_CACERT: tls.caCertFile } });
    await f.writeFile('over TLS');
    expect(await f.readText()).toBe('over TLS');
    expect(f.toString()).toBe(`vault://${tls.hostPort}/secret/tls/file`);
  });

  it('without the CA, verification fails with an error that names VAULT_CACERT', async () => {
    const f = await resolvePath(`vault://${tls.hostPort}/secret/tls/file`, { registry, env: { ...flag, VAULT_TOKEN: tls.rootToken }, ...noRetry });
    const e = await failure(f.readFile());
    expect(isInvalidConfig(e)).toBe(true);
    expect(e!.message).toContain('VAULT_CACERT');
    // Not in the message, and not anywhere in the error's cause chain (axios keeps request headers there).
    expect(inspect(e, { depth: 30 })).not.toContain(tls.rootToken);
  });

  it('VAULT_SKIP_VERIFY=true turns verification off', async () => {
    const f = await resolvePath(`vault://${tls.hostPort}/secret/tls/skip`, { registry, env: { ...flag, VAULT_TOKEN: tls.rootToken, VAULT_SKIP_VERIFY: 'true' } });
    await f.writeFile('unverified');
    expect(await f.readText()).toBe('unverified');
  });

  it('?tls=false against a TLS listener fails', async () => {
    const f = await resolvePath(`vault://${tls.hostPort}/secret/tls/file?tls=false`, { registry, env: { ...flag, VAULT_TOKEN: tls.rootToken }, ...noRetry });
    const e = await failure(f.readFile());
    expect(e).toBeDefined();
    expect(e!.message).toContain(`vault://${tls.hostPort}/secret/tls/file?tls=false`);
  });
});

describe('proxy and timeout', () => {
  it('HTTPS_PROXY in the environment given to open tunnels every request through the proxy (NO_PROXY bypasses it)', async () => {
    const proxy = await startConnectProxy();
    try {
      const env = { ...flag, VAULT_TOKEN: tls.rootToken, VAULT_CACERT: tls.caCertFile, HTTPS_PROXY: `http://${proxy.hostPort}` };
      const f = await resolvePath(`vault://${tls.hostPort}/secret/proxied/file`, { registry, env });
      await f.writeFile('through the proxy');
      expect(await f.readText()).toBe('through the proxy');
      expect(proxy.targets.length).toBeGreaterThan(0);
      expect(new Set(proxy.targets)).toEqual(new Set([tls.hostPort]));
      const seen = proxy.targets.length;
      const direct = await resolvePath(`vault://${tls.hostPort}/secret/proxied/file`, { registry, env: { ...env, NO_PROXY: '127.0.0.1' } });
      expect(await direct.readText()).toBe('through the proxy');
      expect(proxy.targets.length).toBe(seen);
    } finally {
      await proxy.stop();
    }
  });

  it('STATESTORE_TIMEOUT bounds each request; a server that never answers is a Transient error', async () => {
    const silent = net.createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const f = await resolvePath(`vault://127.0.0.1:${port}/secret/x?tls=false`, { registry, env: { ...flag, VAULT_TOKEN: 'no-server-token', STATESTORE_TIMEOUT: '1' }, ...noRetry });
      const e = await failure(f.readFile());
      expect(isTransient(e)).toBe(true);
      expect(inspect(e, { depth: 30 })).not.toContain('no-server-token');
      expect(e!.message).toContain(`vault://127.0.0.1:${port}/secret/x?tls=false`);
    } finally {
      silent.close();
    }
  });
});

/** A minimal HTTP CONNECT proxy on 127.0.0.1 that records each tunnel's target. */
async function startConnectProxy(): Promise<{ hostPort: string; targets: string[]; stop(): Promise<void> }> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.once('data', (head) => {
      const match = /^CONNECT (\S+) HTTP\/1\.[01]\r\n/.exec(head.toString('latin1'));
      if (!match) return client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
      const target = match[1]!;
      targets.push(target);
      const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
      const upstream = net.connect(port, host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    targets,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
