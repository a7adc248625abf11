/**
 * Server-side encryption (STATESTORE_S3_SSE), on the wire through a recording proxy. Against the stock
 * MinIO every suite uses (no KMS: it answers 501 NotImplemented to x-amz-server-side-encryption):
 * `auto` writes without it, decided once per endpoint and bucket with one temp object, said once and
 * remembered in the cache folder; `require` refuses with nothing written; `off` never asks; AWS always
 * asks, and a 501 is an Unsupported error naming the setting, never retried; reads decide nothing. Against
 * a second MinIO started with a KMS key (the extra case): `auto` finds it can encrypt and every write
 * carries AES256, and a bucket that encrypts by default gets no header.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketEncryptionCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PluginRegistry, isInvalidConfig, isUnsupported, resolvePath, type VfsPath } from '@statestore/core';
import { startMinio, type RunningMinio } from '@statestore/testkit/minio';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from '@statestore/testkit';
import { SSE_CACHE_FILE } from '../src/sse-support.js';
import { memoryLogger, minio, newBucket, openS3, rawClient } from './helpers.js';

const SSE_HEADER = 'x-amz-server-side-encryption';
const isSseProbe = (r: RecordedRequest) => r.method === 'PUT' && r.path.includes('/.statestore-tmp-sse-');
const putsTo = (proxy: RecordingProxy, bucket: string, key: string) => proxy.requests.filter((r) => r.method === 'PUT' && r.path === `/${bucket}/${key}`);
const freshCache = () => mkdtempSync(path.join(os.tmpdir(), 'statestore-sse-cache-'));
const notices = (lines: string[]) => lines.filter((l) => l.includes('cannot encrypt objects on the server'));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

async function keysIn(client: S3Client, bucket: string): Promise<string[]> {
  return ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
}

describe('on a stock MinIO (no KMS)', () => {
  let proxy: RecordingProxy;
  beforeAll(async () => {
    proxy = await startRecordingProxy(minio().endpoint);
  });
  afterAll(() => proxy.stop());

  it('auto (the default) writes without SSE where the server cannot encrypt: checked once with a temp object, said once, remembered', async () => {
    const bucket = await newBucket('auto');
    const cache = freshCache();
    const logger = memoryLogger();
    const a = await openS3(`s3://${bucket}/cluster`, { endpoint: proxy.endpoint, env: { STATESTORE_CACHE: cache }, logger });
    await a.join('config').writeFile('kind: Cluster\n');
    await a.join('instancegroup/nodes').writeFile('kind: InstanceGroup\n');
    const b = await openS3(`s3://${bucket}/other`, { endpoint: proxy.endpoint, env: { STATESTORE_CACHE: cache }, logger });
    await b.join('config').writeFile('kind: Cluster\n');

    expect(await a.join('config').readText()).toBe('kind: Cluster\n');
    for (const key of ['cluster/config', 'cluster/instancegroup/nodes', 'other/config']) {
      for (const r of putsTo(proxy, bucket, key)) expect(r.headers[SSE_HEADER]).toBeUndefined();
    }
    const probes = proxy.requests.filter((r) => isSseProbe(r) && r.path.startsWith(`/${bucket}/`));
    expect(probes).toHaveLength(1);
    expect(probes[0]!.path.startsWith(`/${bucket}/cluster/`)).toBe(true);
    expect(probes[0]!.headers[SSE_HEADER]).toBe('AES256');
    expect(await keysIn(rawClient(), bucket)).toEqual(['cluster/config', 'cluster/instancegroup/nodes', 'other/config']);
    expect(notices(logger.lines)).toHaveLength(1);
    expect(notices(logger.lines)[0]).toContain(`bucket ${bucket}`);
    expect(notices(logger.lines)[0]).toContain('STATESTORE_S3_SSE=require');
    const saved = JSON.parse(readFileSync(path.join(cache, SSE_CACHE_FILE), 'utf8')) as Record<string, { value: boolean; decidedAt: string }>;
    expect(saved[`${proxy.endpoint} ${bucket}`]?.value).toBe(false);
  });

  it('a later run reads the decision from the cache: no second check, no second notice', async () => {
    const bucket = await newBucket('rerun');
    const cache = freshCache();
    const run = async () => {
      // A fresh copy of the plugin's modules: nothing learned in memory survives, as in a new process.
      vi.resetModules();
      const plugin = (await import('../src/index.js')).default;
      const registry = new PluginRegistry(() => []);
      registry.register(plugin);
      const logger = memoryLogger();
      const env = { S3_ENDPOINT: proxy.endpoint, S3_ACCESS_KEY_ID: minio().accessKeyId, S3_SECRET_ACCESS_KEY: minio().secretAccessKey, STATESTORE_CACHE: cache };
      const root = await resolvePath(`s3://${bucket}/c`, { registry, env, logger });
      await root.join(`file-${randomUUID()}`).writeFile('x');
      return notices(logger.lines).length;
    };
    expect(await run()).toBe(1);
    expect(await run()).toBe(0);
    expect(await run()).toBe(0);
    expect(proxy.requests.filter((r) => isSseProbe(r) && r.path.startsWith(`/${bucket}/`))).toHaveLength(1);
  });

  it('require refuses with an Unsupported error naming STATESTORE_S3_SSE, and nothing is written', async () => {
    const bucket = await newBucket('require');
    const root = await openS3(`s3://${bucket}/c`, { endpoint: proxy.endpoint, env: { STATESTORE_CACHE: freshCache(), STATESTORE_S3_SSE: 'require' } });
    const e = await rejection(root.join('config').writeFile('kind: Cluster\n'));
    expect(isUnsupported(e)).toBe(true);
    expect(e.message).toContain('STATESTORE_S3_SSE=require');
    expect(e.message).toContain(`s3://${bucket}/c/config`);
    expect(putsTo(proxy, bucket, 'c/config')).toEqual([]);
    expect(await keysIn(rawClient(), bucket)).toEqual([]);
  });

  it('off never asks for SSE and never checks the server', async () => {
    const bucket = await newBucket('off');
    const root = await openS3(`s3://${bucket}/c`, { endpoint: proxy.endpoint, env: { STATESTORE_CACHE: freshCache(), STATESTORE_S3_SSE: 'off' } });
    await root.join('config').writeFile('kind: Cluster\n');
    await root.join('config').copyTo(root.join('copy'));
    const toBucket = proxy.requests.filter((r) => r.path.startsWith(`/${bucket}/`));
    expect(toBucket.filter((r) => r.headers[SSE_HEADER] !== undefined)).toEqual([]);
    expect(toBucket.filter(isSseProbe)).toEqual([]);
  });

  it('the S3-compatible flavours (do://) follow the same rule', async () => {
    const bucket = await newBucket('flavour');
    const logger = memoryLogger();
    const root = await openS3(`do://${bucket}/d`, { endpoint: proxy.endpoint, env: { STATESTORE_CACHE: freshCache() }, logger });
    await root.join('f').writeFile('plain');
    for (const r of putsTo(proxy, bucket, 'd/f')) expect(r.headers[SSE_HEADER]).toBeUndefined();
    expect(notices(logger.lines)).toHaveLength(1);
  });

  it('read-only work decides nothing: no temp object, no write, no cache file', async () => {
    const bucket = await newBucket('reads');
    await rawClient().send(new (await import('@aws-sdk/client-s3')).PutObjectCommand({ Bucket: bucket, Key: 'c/config', Body: 'kind: Cluster\n' }));
    const cache = freshCache();
    const root = await openS3(`s3://${bucket}/c`, { endpoint: proxy.endpoint, env: { STATESTORE_CACHE: cache } });
    expect(await root.join('config').readText()).toBe('kind: Cluster\n');
    expect((await root.readDir()).map((e) => e.name)).toEqual(['config']);
    expect(await root.join('missing').exists()).toBe(false);
    expect(proxy.requests.filter((r) => r.path.startsWith(`/${bucket}/`) && r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
    expect(existsSync(path.join(cache, SSE_CACHE_FILE))).toBe(false);
  });

  it('on AWS, encryption is always asked for: a server that refuses it is an Unsupported error naming STATESTORE_S3_SSE, tried once, nothing written', async () => {
    const bucket = await newBucket('aws');
    // AWS_ENDPOINT_URL_S3 keeps AWS semantics (no S3_ENDPOINT) but sends the requests to the proxy.
    const m = minio();
    const env = { AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_REGION: m.region, AWS_ACCESS_KEY_ID: m.accessKeyId, AWS_SECRET_ACCESS_KEY: m.secretAccessKey, STATESTORE_CACHE: freshCache() };
    const registry = new PluginRegistry(() => []);
    registry.register((await import('../src/index.js')).default);
    const root = await resolvePath(`s3://${bucket}/c`, { registry, env });
    const e = await rejection(root.join('config').writeFile('kind: Cluster\n'));
    expect(isUnsupported(e)).toBe(true);
    expect(e.message).toContain('STATESTORE_S3_SSE=off');
    expect(e.message).toContain(`s3://${bucket}/c/config`);
    const writes = putsTo(proxy, bucket, 'c/config');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.headers[SSE_HEADER]).toBe('AES256');
    expect(await keysIn(rawClient(), bucket)).toEqual([]);
  });

  it("on AWS, a bucket whose encryption cannot be read: reads say nothing about what writes send; the first write says it once", async () => {
    const bucket = await newBucket('aws-denied');
    const denied = await startRecordingProxy(minio().endpoint, {
      rewrite: (r) =>
        r.method === 'GET' && r.query.has('encryption')
          ? { status: 403, headers: { 'content-type': 'application/xml' }, body: Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>') }
          : undefined,
    });
    try {
      const m = minio();
      const env = { AWS_ENDPOINT_URL_S3: denied.endpoint, AWS_REGION: m.region, AWS_ACCESS_KEY_ID: m.accessKeyId, AWS_SECRET_ACCESS_KEY: m.secretAccessKey, STATESTORE_CACHE: freshCache() };
      const registry = new PluginRegistry(() => []);
      registry.register((await import('../src/index.js')).default);
      const logger = memoryLogger();
      await rawClient().send(new PutObjectCommand({ Bucket: bucket, Key: 'c/config', Body: 'kind: Cluster\n' }));
      const root = await resolvePath(`s3://${bucket}/c`, { registry, env, logger });
      expect((await root.readDir()).map((e) => e.name)).toEqual(['config']);
      expect(await root.join('config').readText()).toBe('kind: Cluster\n');
      expect(denied.requests.some((r) => r.query.has('encryption'))).toBe(true);
      const writeNotes = () => logger.lines.filter((l) => l.includes('Could not read the default encryption'));
      expect(writeNotes()).toEqual([]);
      // A write: the note comes now (stock MinIO then refuses the AES256 header it is about).
      await rejection(root.join('other').writeFile('x'));
      await rejection(root.join('third').writeFile('x'));
      expect(writeNotes()).toHaveLength(1);
      expect(writeNotes()[0]).toContain('send x-amz-server-side-encryption: AES256');
    } finally {
      await denied.stop();
    }
  });

  it('an unknown STATESTORE_S3_SSE is InvalidConfig naming the three values', async () => {
    const e = await rejection(openS3('s3://any-bucket/c', { env: { STATESTORE_S3_SSE: 'yes' } }));
    expect(isInvalidConfig(e)).toBe(true);
    expect(e.message).toMatch(/STATESTORE_S3_SSE=yes is not one of auto, require, off/);
  });
});

describe('on a MinIO with a KMS key (the extra case)', () => {
  let kms: RunningMinio;
  let proxy: RecordingProxy;
  let raw: S3Client;
  beforeAll(async () => {
    kms = await startMinio({ kms: true });
    proxy = await startRecordingProxy(kms.endpoint);
    raw = new S3Client({
      endpoint: kms.endpoint,
      region: kms.region,
      forcePathStyle: true,
      credentials: { accessKeyId: kms.accessKeyId, secretAccessKey: kms.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
  afterAll(async () => {
    raw?.destroy();
    await proxy?.stop();
    await kms?.stop();
  });

  const bucketOnKms = async (prefix: string) => {
    const name = `${prefix}-${randomUUID().slice(0, 8)}`;
    await raw.send(new CreateBucketCommand({ Bucket: name }));
    return name;
  };
  const open = (url: string, env: NodeJS.ProcessEnv = {}): Promise<VfsPath> =>
    openS3(url, { endpoint: proxy.endpoint, env: { S3_ACCESS_KEY_ID: kms.accessKeyId, S3_SECRET_ACCESS_KEY: kms.secretAccessKey, STATESTORE_CACHE: freshCache(), ...env } });

  it('auto finds the server can encrypt: every write carries AES256 and is stored encrypted', async () => {
    const bucket = await bucketOnKms('auto-kms');
    const root = await open(`s3://${bucket}/p`);
    await root.join('one').writeFile('1');
    await root.join('one').copyTo(root.join('two'));
    for (const key of ['p/one', 'p/two']) {
      for (const r of putsTo(proxy, bucket, key)) expect(r.headers[SSE_HEADER]).toBe('AES256');
    }
    expect((await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'p/one' }))).ServerSideEncryption).toBe('AES256');
    expect(await keysIn(raw, bucket)).toEqual(['p/one', 'p/two']);
  });

  it('require writes encrypted too', async () => {
    const bucket = await bucketOnKms('require-kms');
    await (await open(`s3://${bucket}/p`, { STATESTORE_S3_SSE: 'require' })).join('f').writeFile('secret');
    expect((await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'p/f' }))).ServerSideEncryption).toBe('AES256');
  });

  it('a bucket that encrypts by default (SSE-KMS) gets no SSE header, and then no ETag is trusted as MD5', async () => {
    const bucket = await bucketOnKms('ssekms');
    await raw.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kms.kmsKeyName } }] },
      }),
    );
    const root = await open(`s3://${bucket}/k`);
    const stat = await root.join('f').writeFile('encrypted by default');
    for (const r of putsTo(proxy, bucket, 'k/f')) expect(r.headers[SSE_HEADER]).toBeUndefined();
    expect(proxy.requests.filter((r) => isSseProbe(r) && r.path.startsWith(`/${bucket}/`))).toEqual([]);
    expect((await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k/f' }))).ServerSideEncryption).toBe('aws:kms');
    const sha256 = createHash('sha256').update('encrypted by default').digest('hex');
    expect(stat.hash).toBe(`sha256:${sha256}`);
    const [listed] = await root.readTree();
    expect(listed!.listed?.hashes?.md5).toBeUndefined();
    expect(await root.join('f').hash('md5')).toBe(createHash('md5').update('encrypted by default').digest('hex'));
  });

  it('on AWS every write sends AES256 when the bucket has no default encryption, and the bucket is asked only once', async () => {
    const bucket = await bucketOnKms('aws-kms');
    const env = { AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_REGION: kms.region, AWS_ACCESS_KEY_ID: kms.accessKeyId, AWS_SECRET_ACCESS_KEY: kms.secretAccessKey, STATESTORE_CACHE: freshCache() };
    const registry = new PluginRegistry(() => []);
    registry.register((await import('../src/index.js')).default);
    const a = await resolvePath(`s3://${bucket}/p`, { registry, env });
    await a.join('one').writeFile('1');
    await a.join('two').writeFile('2');
    const b = await resolvePath(`s3://${bucket}/q`, { registry, env });
    await b.join('three').writeFile('3');
    for (const key of ['p/one', 'p/two', 'q/three']) {
      for (const r of putsTo(proxy, bucket, key)) expect(r.headers[SSE_HEADER]).toBe('AES256');
    }
    expect(proxy.requests.filter((r) => r.path.replace(/\/$/, '') === `/${bucket}` && r.query.has('encryption'))).toHaveLength(1);
    expect(proxy.requests.filter((r) => isSseProbe(r) && r.path.startsWith(`/${bucket}/`))).toEqual([]);
  });
});
