/**
 * Native conditional writes on MinIO, and the first-use probe: it runs once per bucket before the first
 * conditional write, leaves nothing behind, and declares what the service really honours (frozen). A proxy that turns 412
 * answers into 200 plays a service that silently ignores preconditions: the probe must notice, say so
 * once, and the driver must stop pretending to be atomic.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isAlreadyExists, isInternalKey, isUnsupported, parseUrl, type VfsPath } from '@statestore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingProxy, type RecordingProxy } from '@statestore/testkit';
import plugin from '../src/index.js';
import { PROBE_PREFIX } from '../src/precondition-probe.js';
import { memoryLogger, minio, minioEnv, newBucket, openS3, rawClient, text } from './helpers.js';
import { startResigningProxy } from '@statestore/testkit/s3-resigning-proxy';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

async function rawKeys(bucket: string): Promise<string[]> {
  const out = await rawClient().send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

describe('on MinIO', () => {
  let proxy: RecordingProxy;
  beforeAll(async () => {
    proxy = await startRecordingProxy(minio().endpoint);
  });
  afterAll(() => proxy.stop());

  it('the probe runs once before the first conditional write, leaves nothing behind, and finds what MinIO honours', async () => {
    const bucket = await newBucket('probe');
    const root = await openS3(`s3://${bucket}/cluster`, { endpoint: proxy.endpoint });
    const probeRequests = () => proxy.requests.filter((r) => r.path.startsWith(`/${bucket}/`) && r.path.includes(PROBE_PREFIX));
    await root.readDir();
    expect(probeRequests()).toHaveLength(0); // reading never probes
    await root.join('plain').writeFile('p');
    expect(probeRequests()).toHaveLength(0); // nor does a plain write
    await root.join('config').createFile('one');
    const first = probeRequests();
    expect(first.length).toBeGreaterThanOrEqual(6);
    expect(first.every((r) => r.path.startsWith(`/${bucket}/cluster/${PROBE_PREFIX}`))).toBe(true);
    expect(isInternalKey(first[0]!.path.slice(1))).toBe(true);
    await root.join('other').writeFile('two');
    expect(probeRequests()).toHaveLength(first.length);
    expect(await rawKeys(bucket)).toEqual(['cluster/config', 'cluster/other', 'cluster/plain']);
    const caps = root.backend.capabilities;
    expect(Object.isFrozen(caps)).toBe(true);
    expect(caps.atomicCreate).toBe(true);
    expect(caps.compareAndSwap).toBe(true);
    // MinIO deletes despite a wrong If-Match on DELETE: declared, and refused instead of ignored.
    expect(caps.conditionalDelete).toBe(false);
    const stat = await root.join('config').stat();
    expect(isUnsupported(await rejection(root.join('config').remove({ ifMatch: '"not-the-etag"' })))).toBe(true);
    expect(await root.join('config').readText()).toBe('one');
    expect(stat.version).toMatch(/^"[0-9a-f]{32}"$/);
    const described = await plugin.describe!(parseUrl(`s3://${bucket}/cluster`), { env: minioEnv({}, proxy.endpoint), options: {}, warn: () => undefined });
    expect(described.preconditions).toBe('If-None-Match honoured, If-Match honoured, If-Match on DELETE not honoured, If-None-Match on copy not honoured, a key both a file and a prefix not listed (only the file shows)');
  });

  it('16 concurrent createFile from separately opened stores: exactly one wins, the rest are AlreadyExists', async () => {
    const bucket = await newBucket('race');
    const opened: VfsPath[] = await Promise.all(Array.from({ length: 16 }, () => openS3(`s3://${bucket}/cluster/config`)));
    const results = await Promise.allSettled(opened.map((f, i) => f.createFile(`writer ${i}`)));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isAlreadyExists(r.reason)).toBe(true);
    expect(await opened[0]!.readText()).toBe(`writer ${winners[0]}`);
    expect(opened[0]!.backend.capabilities.atomicCreate).toBe(true);
  });

  it('a stale If-Match loses with PreconditionFailed; If-Match on a removed file too', async () => {
    const bucket = await newBucket('cas');
    const f = (await openS3(`s3://${bucket}/c`)).join('state');
    const v1 = await f.writeFile('v1');
    await f.writeFile('v2');
    const stale = await rejection(f.backend.write(f.key, text('v3'), { ifMatch: v1.version }));
    expect((stale as { code?: string }).code).toBe('PreconditionFailed');
    expect((stale as Error).message).toContain(f.toString());
    await f.remove();
    const gone = await rejection(f.backend.write(f.key, text('v4'), { ifMatch: v1.version }));
    expect((gone as { code?: string }).code).toBe('PreconditionFailed');
  });
});

describe('on a service that silently ignores preconditions', () => {
  let proxy: RecordingProxy;
  beforeAll(async () => {
    // Every 412 to a conditional PUT becomes a 200: what a service that ignores If-None-Match/If-Match looks like.
    proxy = await startRecordingProxy(minio().endpoint, {
      rewrite: (request, response) => {
        const conditional = request.headers['if-none-match'] !== undefined || request.headers['if-match'] !== undefined;
        if (request.method !== 'PUT' || !conditional || response.status !== 412) return undefined;
        return { status: 200, headers: { etag: '"ffffffffffffffffffffffffffffffff"', 'content-type': 'text/plain' }, body: Buffer.alloc(0) };
      },
    });
  });
  afterAll(() => proxy.stop());

  it('is detected by the probe, said once, declared in capabilities, and never pretended atomic', async () => {
    const bucket = await newBucket('ignores');
    const logger = memoryLogger();
    const f = (await openS3(`s3://${bucket}/cluster`, { endpoint: proxy.endpoint, logger })).join('config');
    await f.parent()!.join('first').createFile('triggers the probe');
    const notices = logger.lines.filter((l) => l.includes('does not honour'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('If-None-Match and If-Match');
    expect(notices[0]).toContain(bucket);
    expect(f.backend.capabilities.atomicCreate).toBe(false);
    expect(f.backend.capabilities.compareAndSwap).toBe(false);

    // createFile falls back to check-then-write (in core): a second create still fails and keeps the first content.
    await f.createFile('one');
    expect(isAlreadyExists(await rejection(f.createFile('two')))).toBe(true);
    expect(await f.readText()).toBe('one');
    // Compare-and-swap cannot be honoured: refused, not silently applied.
    const current = await f.stat();
    expect(isUnsupported(await rejection(f.backend.write(f.key, text('three'), { ifMatch: current.version })))).toBe(true);
    expect(await f.readText()).toBe('one');
    // updateFile needs no precondition: it runs under core's candidate lease (unique names and a listing), as on Swift.
    await f.updateFile((cur) => `${new TextDecoder().decode(cur!)}+four`);
    expect(await f.readText()).toBe('one+four');

    // Another store on the same bucket shares the verdict and does not repeat the notice.
    const again = (await openS3(`s3://${bucket}/elsewhere`, { endpoint: proxy.endpoint, logger })).join('x');
    await again.createFile('x');
    expect(logger.lines.filter((l) => l.includes('does not honour'))).toHaveLength(1);
  });
});

describe('on a service that ignores If-Match (a proxy strips it and signs again)', () => {
  // Each writer is a fresh process: nothing about the service is known before its first updateFile.
  const writer = `
    const [core, plugin] = await Promise.all([import(process.env.CORE), import(process.env.PLUGIN)]);
    const registry = new core.PluginRegistry(() => []);
    registry.register(plugin.default);
    const file = await core.resolvePath(process.env.URL, { registry, lockLeaseMs: 5000, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
    for (let i = 0; i < 5; i++) {
      const token = process.env.NAME + '-' + i;
      await file.updateFile((cur) => (cur ? new TextDecoder().decode(cur) : '') + token + ',');
    }
    console.log(JSON.stringify(file.backend.capabilities));
  `;

  it('issue 16: in a fresh process the very first updateFile takes the safe path (a lease) and every change is kept', async () => {
    const m = minio();
    const proxy = await startResigningProxy({ target: m.endpoint, region: m.region, accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey, drop: ['if-match'] });
    try {
      const bucket = await newBucket('strip');
      const url = `s3://${bucket}/cluster/list`;
      const env = {
        ...process.env,
        ...minioEnv({}, proxy.url),
        URL: url,
        CORE: pathToFileURL(path.resolve(import.meta.dirname, '../../core/dist/index.js')).href,
        PLUGIN: pathToFileURL(path.resolve(import.meta.dirname, '../dist/index.js')).href,
      };
      const runs = await Promise.all(
        Array.from({ length: 8 }, (_, i) => execFileAsync(process.execPath, ['--input-type=module', '-e', writer], { env: { ...env, NAME: `w${i}` } })),
      );
      const caps = JSON.parse(runs[0]!.stdout.trim()) as { compareAndSwap: boolean; atomicCreate: boolean };
      expect(caps).toMatchObject({ compareAndSwap: false, atomicCreate: true });
      expect(proxy.stripped).toBeGreaterThan(0);
      const stored = (await (await openS3(url)).readText()).split(',').filter(Boolean);
      expect(stored.sort()).toEqual(Array.from({ length: 8 }, (_, w) => Array.from({ length: 5 }, (_, i) => `w${w}-${i}`)).flat().sort());
    } finally {
      await proxy.close();
    }
  });
});
