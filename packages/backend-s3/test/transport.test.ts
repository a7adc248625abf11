/**
 * What either client (STATESTORE_S3_CLIENT=fast or sdk; the package's test script runs every file under
 * both) must do on the wire: the variable picks the transport, every request a call makes shows in the
 * request log (`-v 4`) without secrets, HTTP_PROXY tunnels every request and NO_PROXY bypasses it,
 * virtual-hosted addressing (a MinIO with MINIO_DOMAIN, reached through the tunnel) works, and keys with
 * characters that need encoding survive writes, listings, reads, copies and removals.
 */
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { isInvalidConfig, resolvePath, type RequestEvent } from '@statestore/core';
import { startMinio } from '@statestore/testkit/minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingProxy, type RecordingProxy } from '@statestore/testkit';
import { CACHE_DIR, minio, newBucket, openS3, registry } from './helpers.js';

const CLIENT = process.env.STATESTORE_S3_CLIENT ?? 'fast';

let recording: RecordingProxy;
beforeAll(async () => {
  recording = await startRecordingProxy(minio().endpoint);
});
afterAll(() => recording.stop());

/** Requests undici started while `fn` ran (the fast path's transport). */
async function undiciRequestsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onCreate = (message: unknown) => seen.push((message as { request: { method: string } }).request.method);
  subscribe('undici:request:create', onCreate);
  try {
    await fn();
  } finally {
    unsubscribe('undici:request:create', onCreate);
  }
  return seen;
}

describe(`STATESTORE_S3_CLIENT (this run: ${CLIENT})`, () => {
  it('fast sends the hot operations on undici, sdk sends none there', async () => {
    const bucket = await newBucket('client');
    const sent = await undiciRequestsDuring(async () => {
      const f = (await openS3(`s3://${bucket}/c/config`, { env: { STATESTORE_S3_CLIENT: CLIENT } })).join('f');
      await f.writeFile('x');
      await f.readText();
      await f.parent()!.readDir();
    });
    if (CLIENT === 'fast') expect(sent).toEqual(expect.arrayContaining(['PUT', 'GET']));
    else expect(sent).toEqual([]);
  });

  it('an unknown value is an InvalidConfigError naming the variable and its values', async () => {
    const e = await openS3('s3://any-bucket/c', { env: { STATESTORE_S3_CLIENT: 'fastest' } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isInvalidConfig(e)).toBe(true);
    expect((e as Error).message).toMatch(/STATESTORE_S3_CLIENT=fastest is not one of fast, sdk/);
  });
});

describe('the request log (-v 4)', () => {
  it('reports every request a call makes, with its status, and never the secret', async () => {
    const bucket = await newBucket('log');
    const events: RequestEvent[] = [];
    const root = await openS3(`s3://${bucket}/cluster`, { endpoint: recording.endpoint, requestLogger: (e) => events.push(e) });
    const before = recording.requests.length;
    await root.join('config').createFile('one');
    await root.join('config').readText();
    await root.join('config').stat();
    await root.readDir();
    await root.join('config').copyTo(root.join('copy'));
    await root.join('copy').remove();
    const sent = recording.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    const logged = events.map((e) => `${e.method} ${new URL(e.url).pathname}`);
    expect(logged.sort()).toEqual(sent.sort());
    expect(new Set(events.map((e) => e.method))).toEqual(new Set(['PUT', 'GET', 'HEAD', 'DELETE']));
    for (const e of events) {
      expect(e.status, `${e.method} ${e.url}`).toBeTypeOf('number');
      expect(e.url).not.toContain(minio().secretAccessKey);
    }
  });
});

describe('proxies', () => {
  let tunnel: { endpoint: string; connects: string[]; stop(): Promise<void> };
  beforeAll(async () => {
    tunnel = await startConnectProxy();
  });
  afterAll(() => tunnel.stop());

  it('HTTP_PROXY carries every request through a CONNECT tunnel; NO_PROXY bypasses it', async () => {
    const bucket = await newBucket('proxied');
    const target = new URL(minio().endpoint).host;
    const viaProxy = await openS3(`s3://${bucket}/c`, { env: { HTTP_PROXY: tunnel.endpoint } });
    await viaProxy.join('f').writeFile('through the proxy');
    expect(await viaProxy.join('f').readText()).toBe('through the proxy');
    expect(tunnel.connects.length).toBeGreaterThan(0);
    expect(new Set(tunnel.connects)).toEqual(new Set([target]));

    const connectsBefore = tunnel.connects.length;
    const direct = await openS3(`s3://${bucket}/d`, { env: { HTTP_PROXY: tunnel.endpoint, NO_PROXY: '127.0.0.1' } });
    await direct.join('f').writeFile('around the proxy');
    expect(await direct.join('f').readText()).toBe('around the proxy');
    expect(tunnel.connects.length).toBe(connectsBefore);
  });
});

describe('virtual-hosted addressing', () => {
  it('AWS_ENDPOINT_URL_S3 with a host name sends every request to BUCKET.host, and everything works', async () => {
    const domain = 's3.statestore.test';
    const server = await startMinio({ domain });
    const tunnel = await startConnectProxy();
    try {
      const port = new URL(server.endpoint).port;
      const bucket = `vhost-${randomUUID().slice(0, 8)}`;
      const raw = new S3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } });
      await raw.send(new CreateBucketCommand({ Bucket: bucket }));
      raw.destroy();
      const env = {
        AWS_ENDPOINT_URL_S3: `http://${domain}:${port}`,
        AWS_REGION: server.region,
        AWS_ACCESS_KEY_ID: server.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
        // A stock MinIO cannot encrypt, and on AWS-style endpoints `auto` always asks for it.
        STATESTORE_S3_SSE: 'off',
        STATESTORE_CACHE: CACHE_DIR,
        HTTP_PROXY: tunnel.endpoint,
      };
      const root = await resolvePath(`s3://${bucket}/c`, { registry, env });
      await root.join('config').createFile('virtual');
      expect(await root.join('config').readText()).toBe('virtual');
      await root.join('config').copyTo(root.join('copy'));
      expect((await root.readDir()).map((e) => e.name).sort()).toEqual(['config', 'copy']);
      await root.join('copy').remove();
      expect(tunnel.connects.length).toBeGreaterThan(0);
      expect(new Set(tunnel.connects)).toEqual(new Set([`${bucket}.${domain}:${port}`]));
    } finally {
      await tunnel.stop();
      await server.stop();
    }
  });
});

describe('keys that need encoding', () => {
  it('survive write, listing, read, copy and removal', async () => {
    const bucket = await newBucket('keys');
    const root = await openS3(`s3://${bucket}/c`);
    const names = ['with space', 'plus+and%percent', 'amp&eq=semi;comma,', "bang!quote'paren()star*", 'tilde~dot.', 'ümlaut-日本', 'less<greater>"'];
    for (const name of names) await root.join('dir', name).writeFile(name);
    const listed = (await root.join('dir').readDir()).map((p) => p.name).sort();
    expect(listed).toEqual([...names].sort());
    for (const name of names) {
      expect(await root.join('dir', name).readText()).toBe(name);
      await root.join('dir', name).copyTo(root.join('copies', name));
      expect(await root.join('copies', name).readText()).toBe(name);
      await root.join('dir', name).remove();
    }
    expect(await root.join('dir').readDir()).toEqual([]);
    expect((await root.join('copies').readDir()).length).toBe(names.length);
  });
});

/**
 * A forward proxy that only tunnels (CONNECT), recording each tunnel's target. Every tunnel ends on
 * 127.0.0.1 at the requested port (the host name is only recorded), so host names need no DNS.
 */
async function startConnectProxy(): Promise<{ endpoint: string; connects: string[]; stop(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const port = Number((req.url ?? '').split(':').pop());
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connects,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

