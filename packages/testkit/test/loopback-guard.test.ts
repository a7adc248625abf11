/**
 * The loopback guard, in the worker vitest started with it (NODE_OPTIONS from loopbackOnly()) and in a
 * process spawned with loopbackEnv(): loopback connections work; connections to a cloud host or a metadata
 * address and DNS lookups of other names throw LoopbackOnlyError before any packet leaves, and are recorded.
 */
import { execFileSync } from 'node:child_process';
import dns from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackGuardActive, refusedHosts } from '../loopback/guard.mjs';
import { loopbackEnv } from '../loopback/vitest.mjs';

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('local'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the loopback guard in a vitest worker', () => {
  it('is loaded, with AWS_EC2_METADATA_DISABLED=true', () => {
    expect(loopbackGuardActive()).toBe(true);
    expect(process.env.AWS_EC2_METADATA_DISABLED).toBe('true');
  });

  it('lets 127.0.0.1 and localhost through', async () => {
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('local');
    expect(await (await fetch(`http://localhost:${port}/`)).text()).toBe('local');
  });

  it('refuses the EC2 and Alibaba metadata addresses and a cloud host, for net, http and fetch', async () => {
    expect(() => net.connect(80, '169.254.169.254')).toThrow(expect.objectContaining({ code: 'ERR_STATESTORE_LOOPBACK_ONLY' }));
    expect(() => http.get('http://100.100.100.200/latest/meta-data/')).toThrow(/loopback guard: refused a connection to 100\.100\.100\.200/);
    const failed = await fetch('https://s3.us-east-1.amazonaws.com/').then(
      () => undefined,
      (e: Error) => e,
    );
    expect((failed?.cause as Error | undefined)?.message ?? failed?.message).toMatch(/loopback guard: refused .* s3\.us-east-1\.amazonaws\.com/);
    expect(refusedHosts()).toEqual(expect.arrayContaining(['169.254.169.254', '100.100.100.200', 's3.us-east-1.amazonaws.com']));
  });

  it('refuses DNS lookups of other names, in the callback and the promise API', async () => {
    expect(() => dns.lookup('metadata.google.internal', () => undefined)).toThrow(expect.objectContaining({ code: 'ERR_STATESTORE_LOOPBACK_ONLY' }));
    await expect(dns.promises.lookup('oss-cn-hangzhou.aliyuncs.com')).rejects.toThrow(expect.objectContaining({ code: 'ERR_STATESTORE_LOOPBACK_ONLY' }));
    await expect(new dns.promises.Resolver().resolve4('example.com')).rejects.toThrow(expect.objectContaining({ code: 'ERR_STATESTORE_LOOPBACK_ONLY' }));
    expect((await dns.promises.lookup('localhost')).address).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

describe('a child process started with loopbackEnv()', () => {
  it('has the guard too, and dies on its first request to a metadata address', () => {
    const script = "const r = await fetch('http://169.254.169.254/latest/meta-data/').catch((e) => e.cause ?? e); console.log(r.code, process.env.AWS_EC2_METADATA_DISABLED);";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...loopbackEnv({}) }, encoding: 'utf8' });
    expect(out.trim()).toBe('ERR_STATESTORE_LOOPBACK_ONLY true');
  });
});
