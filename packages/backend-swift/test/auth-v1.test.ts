/**
 * v1 auth (tempauth) against the real Swift: token caching and re-authentication after Swift forgets the
 * token, refused keys, an unreachable auth URL, and that opening a URL does no network work.
 */
import { randomUUID } from 'node:crypto';
import { isPermissionDenied, isTransient, parseUrl, redactSecrets } from '@statestore/core';
import { flushMemcached } from '@statestore/testkit/swift';
import { describe, expect, inject, it } from 'vitest';
import plugin, { readSwiftConfig, SwiftBackend, SwiftClient } from '../src/index.js';
import { createContainer, newContainer, openSwift, tempauthEnv } from './helpers.js';

describe('v1 auth (tempauth)', () => {
  it(`caches the token, and authenticates again when Swift answers 401 (Swift ${inject('swift').version})`, async () => {
    const env = tempauthEnv();
    const container = newContainer('v1');
    await createContainer(container, env);
    const client = new SwiftClient(readSwiftConfig(env), env);
    const backend = new SwiftBackend({ container, client, serviceId: 'test' });
    await backend.write('a', new TextEncoder().encode('1'));
    const first = await client.auth.current();
    await backend.write('b', new TextEncoder().encode('2'));
    expect(await client.auth.current()).toBe(first);
    expect(first.storageUrl).toBe(`${inject('swift').proxyUrl}/v1/AUTH_test`);
    expect(redactSecrets(`X-Auth-Token ${first.token}`)).not.toContain(first.token);
    // tempauth keeps tokens in memcached only: emptying it makes Swift forget every token.
    await flushMemcached(inject('swift').memcachedPort);
    expect((await backend.list('')).objects.map((o) => o.key)).toEqual(['a', 'b']);
    const second = await client.auth.current();
    expect(second.token).not.toBe(first.token);
    await client.close();
  });

  it('a wrong key is PermissionDenied naming the auth URL and user, never the key', async () => {
    const key = `wrong-${randomUUID()}`;
    const f = await openSwift(`swift://${newContainer('v1')}/x`, { ...tempauthEnv(), OS_PASSWORD: key });
    const e = await f.readFile().catch((error: unknown) => error);
    expect(isPermissionDenied(e)).toBe(true);
    expect((e as Error).message).toContain(inject('swift').authUrl);
    expect((e as Error).message).toContain('test:tester');
    expect((e as Error).message).not.toContain(key);
  });

  it('opening is offline; an auth URL where nothing listens fails on first use as Transient', async () => {
    const f = await openSwift(`swift://${newContainer('v1')}/x`, { ...tempauthEnv(), OS_AUTH_URL: 'http://127.0.0.1:9/auth/v1.0' }, { attempts: 1 });
    expect(f.toString()).toMatch(/^swift:\/\/v1-[0-9a-f]{8}\/x$/);
    const e = await f.readFile().catch((error: unknown) => error);
    expect(isTransient(e)).toBe(true);
    expect((e as Error).message).toContain('http://127.0.0.1:9');
  });

  it('describe (for statestore doctor) reports the auth method, endpoint and Swift version, never the key', async () => {
    const env = tempauthEnv();
    const facts = await plugin.describe!(parseUrl('swift://kops-state/clusters'), { env, options: {}, warn: () => undefined });
    const s = inject('swift');
    expect(facts).toMatchObject({
      container: 'kops-state',
      authUrl: s.authUrl,
      auth: 'v1 (tempauth/swauth)',
      credentials: 'environment',
      user: 'test:tester',
      storageUrl: `${s.proxyUrl}/v1/AUTH_test`,
      swiftVersion: s.version,
    });
    expect(JSON.stringify(facts)).not.toContain(env.OS_PASSWORD);
  });
});
