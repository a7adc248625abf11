/**
 * Keystone v3 against a real Keystone (Debian's python3-keystone) whose catalog points at a Swift proxy
 * with authtoken + keystoneauth: password auth by names and by ids, application credentials by id and by
 * name, region and interface selection, refused credentials, and re-authentication after a token is revoked.
 */
import { randomUUID } from 'node:crypto';
import { isInvalidConfig, isPermissionDenied, isTransient, redactSecrets } from '@statestore/core';
import { flushMemcached } from '@statestore/testkit/swift';
import { describe, expect, inject, it } from 'vitest';
import { readSwiftConfig, selectEndpoint, SwiftBackend, SwiftClient, tokenRequestBody, tokensUrl, type CatalogEntry } from '../src/index.js';
import { keystoneEnv, newContainer, openSwift } from './helpers.js';

const k = () => inject('swift').keystone;

async function roundTrip(env: NodeJS.ProcessEnv): Promise<void> {
  const f = await openSwift(`swift://${newContainer('ks')}/cluster/config`, env);
  await f.createFile(`hello ${randomUUID()}`);
  expect(await f.readText()).toMatch(/^hello /);
  expect((await f.parent()!.readDir()).map((e) => e.name)).toEqual(['config']);
}

describe('Keystone v3 (real Keystone)', () => {
  it(`password auth by user, domain and project names works end to end (Keystone ${inject('swift').keystone.version})`, async () => {
    await roundTrip(keystoneEnv());
  });

  it('password auth by user id and project id, and the OS_TENANT_* spellings, work', async () => {
    const { user } = k();
    await roundTrip(keystoneEnv({ OS_USERNAME: '', OS_DOMAIN_NAME: '', OS_USERID: user.id, OS_PROJECT_NAME: '', OS_PROJECT_ID: user.projectId }));
    await roundTrip(keystoneEnv({ OS_PROJECT_NAME: '', OS_TENANT_NAME: user.projectName, OS_DOMAIN_NAME: '', OS_DOMAIN_ID: user.domainId }));
  });

  it('the storage URL is the catalog endpoint of the project, and the auth URL may omit /v3', async () => {
    const { user, proxyUrl, authUrl } = k();
    for (const url of [authUrl, authUrl.replace(/\/v3$/, ''), `${authUrl}/`]) {
      const env = keystoneEnv({ OS_AUTH_URL: url });
      const client = new SwiftClient(readSwiftConfig(env), env);
      expect(await client.storageUrl()).toBe(`${proxyUrl}/v1/AUTH_${user.projectId}`);
      await client.close();
    }
  });

  it('application credentials by id, and by name with the user, work without a project', async () => {
    const { applicationCredential: ac, user } = k();
    const base = { OS_USERNAME: '', OS_PASSWORD: '', OS_PROJECT_NAME: '', OS_DOMAIN_NAME: '', OS_APPLICATION_CREDENTIAL_SECRET: ac.secret };
    await roundTrip(keystoneEnv({ ...base, OS_APPLICATION_CREDENTIAL_ID: ac.id }));
    await roundTrip(keystoneEnv({ ...base, OS_APPLICATION_CREDENTIAL_NAME: ac.name, OS_USERNAME: user.name, OS_DOMAIN_NAME: user.domainName }));
  });

  it('without OS_REGION_NAME, two regions offering object storage is an error that names them; quotes around the region are stripped', async () => {
    const f = await openSwift(`swift://${newContainer('ks')}/x`, keystoneEnv({ OS_REGION_NAME: '' }));
    const e = await f.readFile().catch((error: unknown) => error);
    expect(isInvalidConfig(e)).toBe(true);
    expect((e as Error).message).toContain('RegionOne, RegionTwo');
    expect((e as Error).message).toContain('OS_REGION_NAME');
    await roundTrip(keystoneEnv({ OS_REGION_NAME: "'RegionOne'" }));
  });

  it('OS_REGION_NAME picks the region: RegionTwo is an endpoint where nothing listens', async () => {
    const f = await openSwift(`swift://${newContainer('ks')}/x`, keystoneEnv({ OS_REGION_NAME: 'RegionTwo' }), { attempts: 1 });
    const e = await f.readFile().catch((error: unknown) => error);
    expect(isTransient(e)).toBe(true);
    expect((e as Error).message).toContain(k().regionTwoOrigin);
  });

  it('OS_INTERFACE picks the interface; one the catalog lacks is an error listing what it has', async () => {
    await roundTrip(keystoneEnv({ OS_INTERFACE: 'internal' }));
    const f = await openSwift(`swift://${newContainer('ks')}/x`, keystoneEnv({ OS_INTERFACE: 'admin' }));
    const e = await f.readFile().catch((error: unknown) => error);
    expect(isInvalidConfig(e)).toBe(true);
    expect((e as Error).message).toContain('RegionOne/internal, RegionOne/public, RegionTwo/public');
  });

  it('a wrong password is PermissionDenied naming Keystone, never the password', async () => {
    const password = `wrong-${randomUUID()}`;
    const f = await openSwift(`swift://${newContainer('ks')}/x`, keystoneEnv({ OS_PASSWORD: password }));
    const e = await f.readFile().catch((error: unknown) => error);
    expect(isPermissionDenied(e)).toBe(true);
    expect((e as Error).message).toContain(k().authUrl);
    expect((e as Error).message).not.toContain(password);
  });

  it('a revoked token gets a 401 from Swift, and the client authenticates again once', async () => {
    const env = keystoneEnv();
    const client = new SwiftClient(readSwiftConfig(env), env);
    const backend = new SwiftBackend({ container: newContainer('ks'), client, serviceId: 'test' });
    await backend.write('a', new TextEncoder().encode('1'));
    const first = await client.auth.current();
    expect(redactSecrets(`token ${first.token}`)).toBe('token ***');
    const revoke = await fetch(`${k().authUrl}/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': first.token, 'x-subject-token': first.token } });
    expect(revoke.status).toBe(204);
    // keystonemiddleware caches validations in memcached; empty it so Swift asks Keystone again.
    await flushMemcached(inject('swift').memcachedPort);
    expect((await backend.stat('a'))?.size).toBe(1);
    const second = await client.auth.current();
    expect(second.token).not.toBe(first.token);
    await client.close();
  });
});

describe('Keystone v3 request and catalog (bodies from the real Keystone)', () => {
  async function catalog(): Promise<CatalogEntry[]> {
    const { user, authUrl } = k();
    const res = await fetch(tokensUrl(authUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(tokenRequestBody(readSwiftConfig(keystoneEnv()))),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: { catalog: CatalogEntry[]; project: { id: string } } };
    expect(body.token.project.id).toBe(user.projectId);
    return body.token.catalog;
  }

  it('selects by region and interface, and trims a trailing slash', async () => {
    const c = await catalog();
    const { proxyUrl, user, regionTwoOrigin, authUrl } = k();
    expect(selectEndpoint(c, { region: 'RegionOne', interface: 'public' }, authUrl)).toBe(`${proxyUrl}/v1/AUTH_${user.projectId}`);
    expect(selectEndpoint(c, { region: 'RegionTwo', interface: 'public' }, authUrl)).toBe(`${regionTwoOrigin}/v1/AUTH_${user.projectId}`);
    expect(() => selectEndpoint(c, { region: 'RegionTwo', interface: 'internal' }, authUrl)).toThrow(/no internal object-store endpoint in region RegionTwo/);
    expect(() => selectEndpoint(c, { interface: 'public' }, authUrl)).toThrow(/several regions/);
    expect(selectEndpoint(c, { interface: 'internal' }, authUrl)).toBe(`${proxyUrl}/v1/AUTH_${user.projectId}`);
  });

  it('an unscoped token has no catalog: the error says to set a project', () => {
    expect(() => selectEndpoint(undefined, { interface: 'public' }, 'http://keystone/v3')).toThrow(/OS_PROJECT_NAME or OS_PROJECT_ID/);
  });

  it('an application credential request carries no scope; a password request is scoped to the project', () => {
    const ac = tokenRequestBody(readSwiftConfig({ OS_AUTH_URL: 'http://k/v3', OS_APPLICATION_CREDENTIAL_ID: 'id1', OS_APPLICATION_CREDENTIAL_SECRET: 's' }));
    expect(ac).toEqual({ auth: { identity: { methods: ['application_credential'], application_credential: { id: 'id1', secret: 's' } } } });
    const pw = tokenRequestBody(
      readSwiftConfig({ OS_AUTH_URL: 'http://k/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_DOMAIN_NAME: 'D', OS_PROJECT_NAME: 'proj' }),
    );
    expect(pw).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'u', domain: { name: 'D' }, password: 'p' } } },
        scope: { project: { name: 'proj', domain: { name: 'D' } } },
      },
    });
  });
});
