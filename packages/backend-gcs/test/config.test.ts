/**
 * Settings: STORAGE_EMULATOR_HOST in the forms users write it, the environment given to resolvePath
 * deciding over process.env, credentials and ACL settings checked when a store is opened, and `open`
 * staying offline (the first request is what fails when nothing answers).
 */
import { freePort } from '@statestore/testkit';
import { isInvalidConfig, isInvalidUrl, isTransient, parseUrl } from '@statestore/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { emulator, newBucket, openGs } from './helpers.js';

const context = (env: NodeJS.ProcessEnv, options: Record<string, unknown> = {}) => ({ env, options, warn: () => undefined });

describe('STORAGE_EMULATOR_HOST', () => {
  it('works as host:port (http assumed, as in the Go SDK kops uses), with a trailing slash, and with /storage/v1', async () => {
    const bucket = await newBucket('emu');
    const hostPort = emulator().replace(/^http:\/\//, '');
    for (const [i, host] of [hostPort, `${emulator()}/`, `${emulator()}/storage/v1`].entries()) {
      const f = await openGs(`gs://${bucket}/form-${i}`, { host });
      await f.writeFile(`via ${host}`);
      expect(await f.readText()).toBe(`via ${host}`);
    }
    expect((await (await openGs(`gs://${bucket}`, { host: hostPort })).readDir()).map((e) => e.name)).toEqual(['form-0', 'form-1', 'form-2']);
  });

  it('is taken from the environment given to resolvePath, even when process.env names another host', async () => {
    const bucket = await newBucket('env');
    const dead = `http://127.0.0.1:${await freePort()}`;
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = dead;
    try {
      // STATESTORE_TIMEOUT gives this store its own SDK client, built while process.env points elsewhere.
      const f = await openGs(`gs://${bucket}/pinned`, { env: { STATESTORE_TIMEOUT: '61' } });
      await f.writeFile('reached the emulator from the given env');
      expect(await f.readText()).toBe('reached the emulator from the given env');
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
  });

  it('a value that is not host:port or an http(s) URL is InvalidConfig', async () => {
    await expect(openGs('gs://bucket/x', { host: 'ftp://127.0.0.1:1' })).rejects.toSatisfy(isInvalidConfig);
  });
});

describe('opening', () => {
  it('is offline: nothing is contacted until the first request, which fails as Transient when nothing answers', async () => {
    const f = await openGs('gs://nobody-listens/x', { host: `127.0.0.1:${await freePort()}`, retry: { maxAttempts: 1 } });
    expect(f.toString()).toBe('gs://nobody-listens/x');
    await expect(f.stat()).rejects.toSatisfy(isTransient);
  });

  it('refuses a bucket name Cloud Storage would refuse', async () => {
    for (const name of ['Upper', 'a', 'under_score_-', 'x'.repeat(64)]) {
      const e = await openGs(`gs://${name}/k`).catch((error: unknown) => error);
      expect(isInvalidUrl(e), name).toBe(true);
    }
  });

  it('GOOGLE_APPLICATION_CREDENTIALS naming a missing file is InvalidConfig that names the variable', async () => {
    const e = await plugin.open(parseUrl('gs://bucket/k'), context({ GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json' })).catch((error: unknown) => error);
    expect(isInvalidConfig(e)).toBe(true);
    expect((e as Error).message).toContain('GOOGLE_APPLICATION_CREDENTIALS=/nonexistent/key.json');
  });

  it('an unknown ACL name is InvalidConfig listing the predefined ACLs', async () => {
    const e = await plugin.open(parseUrl('gs://bucket/k'), context({ STATESTORE_GCS_ACL: 'everyone' })).catch((error: unknown) => error);
    expect(isInvalidConfig(e)).toBe(true);
    expect((e as Error).message).toContain('publicRead');
  });
});

describe('describe', () => {
  it('reports endpoint, credentials and ACL, never secrets', async () => {
    const url = parseUrl('gs://my-bucket/cluster');
    expect(await plugin.describe!(url, context({}))).toMatchObject({
      bucket: 'my-bucket',
      endpoint: 'https://storage.googleapis.com',
      credentials: expect.stringContaining('Application Default Credentials'),
      predefinedAcl: 'none (bucket default)',
    });
    expect(await plugin.describe!(url, context({ STORAGE_EMULATOR_HOST: '127.0.0.1:4443', STATESTORE_GCS_ACL: 'bucket-owner-full-control' }))).toMatchObject({
      endpoint: 'http://127.0.0.1:4443',
      credentials: expect.stringContaining('emulator'),
      predefinedAcl: 'bucketOwnerFullControl',
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'statestore-gcs-key-'));
    const keyFile = path.join(dir, 'key.json');
    writeFileSync(keyFile, JSON.stringify({ type: 'service_account', private_key: 'SECRET-KEY-MATERIAL' }));
    const described = await plugin.describe!(url, context({ GOOGLE_APPLICATION_CREDENTIALS: keyFile }));
    expect(described.credentials).toContain(keyFile);
    expect(JSON.stringify(described)).not.toContain('SECRET-KEY-MATERIAL');
  });
});
