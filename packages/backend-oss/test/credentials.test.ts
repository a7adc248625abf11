/**
 * STS credentials: from the ECS instance RAM role (testkit's metadata stand-in issues them, the OSS server
 * accepts exactly those) and refreshed before they expire — kops fetched them once — and from
 * ALIYUN_SECURITY_TOKEN. This file runs its own server, so it can issue and expire keys.
 */
import { randomUUID } from 'node:crypto';
import { isInvalidConfig, isPermissionDenied } from '@statestore/core';
import { startEcsMetadataServer, startOssServer, type EcsMetadataServer, type OssServer } from '@statestore/testkit/oss-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_BEFORE_EXPIRY_MS } from '../src/index.js';
import { openOss } from './helpers.js';

let server: OssServer;
let metadata: EcsMetadataServer;
const bucket = 'sts-bucket';

beforeAll(async () => {
  server = await startOssServer({ buckets: [bucket] });
  metadata = await startEcsMetadataServer({ keys: server.keys, regionId: server.region, requireToken: true });
});
afterAll(async () => {
  await metadata?.close();
  await server?.close();
});

/** The environment of an ECS instance: no AccessKey variables, the metadata service reachable. */
function onEcs(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ALIYUN_ACCESS_KEY_ID: '', ALIYUN_ACCESS_KEY_SECRET: '', STATESTORE_ECS_METADATA_ENDPOINT: metadata.endpoint, ...extra };
}

describe('ECS RAM role', () => {
  it('signs with the role\'s STS credentials (hardened metadata mode) and keeps them while they are fresh', async () => {
    metadata.setCredentialTtl(60 * 60 * 1000);
    const before = metadata.issued.length;
    const f = await openOss(`oss://${bucket}/role-${randomUUID()}`, { server, env: onEcs() });
    await f.writeFile('one');
    await f.writeFile('two');
    expect(await f.readText()).toBe('two');
    expect(metadata.issued.length).toBe(before + 1);
    const key = metadata.issued.at(-1)!;
    expect(server.requestsByKey.get(key.accessKeyId)).toBeGreaterThanOrEqual(3);
  });

  it('fetches new credentials before the current ones expire, so requests keep working after the old key dies', async () => {
    // Credentials that live for less than the refresh margin are due for refresh at every request.
    metadata.setCredentialTtl(REFRESH_BEFORE_EXPIRY_MS - 60_000);
    const f = await openOss(`oss://${bucket}/refresh-${randomUUID()}`, { server, env: onEcs({ ALIBABA_CLOUD_ECS_METADATA: metadata.roleName }) });
    await f.writeFile('first');
    const first = metadata.issued.at(-1)!;
    await f.writeFile('second');
    const second = metadata.issued.at(-1)!;
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(server.requestsByKey.get(second.accessKeyId)).toBeGreaterThanOrEqual(1);
    // The first key dies; the store never uses it again.
    server.keys.expire(first.accessKeyId);
    expect(await f.readText()).toBe('second');
  });

  it('without AccessKey variables and without a metadata service: InvalidConfig saying what to set', async () => {
    const f = await openOss(`oss://${bucket}/none`, { server, env: { ALIYUN_ACCESS_KEY_ID: '', ALIYUN_ACCESS_KEY_SECRET: '', STATESTORE_ECS_METADATA_ENDPOINT: 'http://127.0.0.1:9' } });
    const e = await f.readText().catch((error: unknown) => error);
    expect(isInvalidConfig(e), String(e)).toBe(true);
    expect((e as Error).message).toContain('ALIYUN_ACCESS_KEY_ID');
  });
});

describe('ALIYUN_SECURITY_TOKEN', () => {
  it('is sent with its STS AccessKey pair; a stale token is PermissionDenied saying so, without the token in the message', async () => {
    const sts = server.keys.issueTemporary(60 * 60 * 1000);
    const env = { ALIYUN_ACCESS_KEY_ID: sts.accessKeyId, ALIYUN_ACCESS_KEY_SECRET: sts.accessKeySecret, ALIYUN_SECURITY_TOKEN: sts.securityToken! };
    const f = await openOss(`oss://${bucket}/static-sts-${randomUUID()}`, { server, env });
    await f.writeFile('with a token');
    expect(await f.readText()).toBe('with a token');
    server.keys.expire(sts.accessKeyId);
    const e = await f.readText().catch((error: unknown) => error);
    expect(isPermissionDenied(e)).toBe(true);
    expect((e as Error).message).toContain('SecurityTokenExpired');
    expect((e as Error).message).not.toContain(sts.securityToken!);
    expect((e as Error).message).not.toContain(sts.accessKeySecret);
  });
});
