/**
 * Settings: the OS_* variables kops documents, the kops credentials file (OPENSTACK_CREDENTIAL_FILE, else
 * $HOME/.openstack/config), which one wins, and the errors for incomplete settings. The last tests use a
 * credentials file against the real Swift (v1) and the real Keystone (v3).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isInvalidConfig } from '@statestore/core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { credentialFilePath, readSwiftConfig } from '../src/index.js';
import { newContainer, openSwift } from './helpers.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function home(config?: string): string {
  const dir = tempDir('statestore-swift-home-');
  if (config !== undefined) {
    mkdirSync(path.join(dir, '.openstack'));
    writeFileSync(path.join(dir, '.openstack', 'config'), config);
  }
  return dir;
}

function file(text: string): string {
  const f = path.join(tempDir('statestore-swift-cred-'), 'credentials');
  writeFileSync(f, text);
  return f;
}

const KOPS_FILE = `[Default]
identity = https://keystone.example.com:5000/v3
user = alice
password = "s3cret"
domain_name = Default
tenant_name = cluster-project

[Global]
region = RegionFile
`;

describe('settings from the environment', () => {
  it('reads the variables kops documents; OS_PROJECT_* win over OS_TENANT_*', () => {
    const c = readSwiftConfig({
      OS_AUTH_URL: 'https://keystone.example.com/v3',
      OS_USERNAME: 'alice',
      OS_USERID: 'uid',
      OS_PASSWORD: 'pw',
      OS_TENANT_ID: 'tid',
      OS_TENANT_NAME: 'tname',
      OS_PROJECT_ID: 'pid',
      OS_PROJECT_NAME: 'pname',
      OS_DOMAIN_ID: 'did',
      OS_DOMAIN_NAME: 'dname',
      OS_REGION_NAME: "'RegionOne'",
    });
    expect(c).toMatchObject({ authVersion: 3, username: 'alice', userId: 'uid', password: 'pw', projectId: 'pid', projectName: 'pname', domainId: 'did', domainName: 'dname', region: 'RegionOne', interface: 'public', source: 'environment' });
    expect(readSwiftConfig({ OS_AUTH_URL: 'https://k/v3', OS_USERID: 'u', OS_PASSWORD: 'p', OS_TENANT_ID: 'tid' }).projectId).toBe('tid');
  });

  it('a v1 auth URL is tempauth; a v2.0 one is refused; KOPS_OS_TLS_INSECURE_SKIP_VERIFY is a yes/no in core\'s one dialect', () => {
    const v1 = { OS_AUTH_URL: 'http://swift:8080/auth/v1.0', OS_USERNAME: 'a:u', OS_PASSWORD: 'k' };
    expect(readSwiftConfig(v1).authVersion).toBe(1);
    expect(() => readSwiftConfig({ ...v1, OS_AUTH_URL: 'https://k:5000/v2.0' })).toThrow(/Keystone v2 is not supported/);
    // TRUE was false here before the driver kit (Swift had its own dialect: exactly "true" or "1").
    for (const [value, insecure] of [['true', true], ['TRUE', true], ['1', true], ['yes', true], ['false', false], ['0', false], ['', false]] as const) {
      expect(readSwiftConfig({ ...v1, KOPS_OS_TLS_INSECURE_SKIP_VERIFY: value }).insecure).toBe(insecure);
    }
    expect(() => readSwiftConfig({ ...v1, KOPS_OS_TLS_INSECURE_SKIP_VERIFY: 'foo' })).toThrow(/KOPS_OS_TLS_INSECURE_SKIP_VERIFY=foo is not a yes\/no value/);
  });

  it('incomplete settings name what is missing', () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ OS_AUTH_URL: 'https://k/v3', OS_PASSWORD: 'p' }, /OS_USERNAME or OS_USERID/],
      [{ OS_AUTH_URL: 'https://k/v3', OS_USERNAME: 'u', OS_DOMAIN_NAME: 'd' }, /OS_PASSWORD/],
      [{ OS_AUTH_URL: 'https://k/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p' }, /OS_DOMAIN_NAME or OS_DOMAIN_ID/],
      [{ OS_AUTH_URL: 'https://k/v3', OS_APPLICATION_CREDENTIAL_ID: 'id' }, /OS_APPLICATION_CREDENTIAL_SECRET/],
      [{ OS_AUTH_URL: 'https://k/v3', OS_APPLICATION_CREDENTIAL_NAME: 'n', OS_APPLICATION_CREDENTIAL_SECRET: 's' }, /OS_USERNAME or OS_USERID/],
      [{ OS_AUTH_URL: 'http://s/auth/v1.0', OS_USERNAME: 'a:u' }, /OS_PASSWORD/],
      [{ OS_AUTH_URL: 'https://k/v3', OS_USERID: 'u', OS_PASSWORD: 'p', OS_INTERFACE: 'private' }, /OS_INTERFACE=private/],
    ];
    for (const [env, message] of cases) {
      let error: unknown;
      try {
        readSwiftConfig({ ...env, HOME: home() });
      } catch (e) {
        error = e;
      }
      expect(isInvalidConfig(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('"p"');
    }
  });
});

describe('the kops credentials file', () => {
  it('is $HOME/.openstack/config unless OPENSTACK_CREDENTIAL_FILE names another', () => {
    const h = home(KOPS_FILE);
    expect(credentialFilePath({ HOME: h })).toBe(path.join(h, '.openstack', 'config'));
    const c = readSwiftConfig({ HOME: h });
    expect(c).toMatchObject({ authUrl: 'https://keystone.example.com:5000/v3', username: 'alice', password: 's3cret', domainName: 'Default', projectName: 'cluster-project', region: 'RegionFile', source: path.join(h, '.openstack', 'config') });
    const other = file(KOPS_FILE.replace('alice', 'bob'));
    expect(readSwiftConfig({ HOME: h, OPENSTACK_CREDENTIAL_FILE: other }).username).toBe('bob');
  });

  it('the environment wins: with OS_AUTH_URL set the file is not read; OS_REGION_NAME overrides the file region', () => {
    const h = home(KOPS_FILE);
    const c = readSwiftConfig({ HOME: h, OS_AUTH_URL: 'https://other/v3', OS_USERID: 'envuser', OS_PASSWORD: 'envpw' });
    expect(c).toMatchObject({ authUrl: 'https://other/v3', userId: 'envuser', source: 'environment' });
    expect(c.username).toBeUndefined();
    expect(readSwiftConfig({ HOME: h, OS_REGION_NAME: 'RegionEnv' }).region).toBe('RegionEnv');
  });

  it('no variables and no file is an error naming both; a file missing keys names them as kops does', () => {
    expect(() => readSwiftConfig({ HOME: home() })).toThrow(/OS_AUTH_URL is not set and .*\.openstack\/config cannot be read/);
    expect(() => readSwiftConfig({ HOME: home(KOPS_FILE.replace(/^password.*$/m, '')) })).toThrow(/missing password in section \[Default\]/);
    expect(() => readSwiftConfig({ HOME: home(KOPS_FILE.replace(/^tenant_name.*$/m, '')) })).toThrow(/missing tenant_name and tenant_id/);
    expect(() => readSwiftConfig({ HOME: home(KOPS_FILE.replace(/^user = .*$/m, '')) })).toThrow(/missing user and user_id/);
  });

  it('works against the real Swift (v1) and the real Keystone (v3)', async () => {
    const s = inject('swift');
    const v1 = file(`[Default]\nidentity = ${s.authUrl}\nuser = ${s.users[0]!.user}\npassword = ${s.users[0]!.key}\n`);
    const a = await openSwift(`swift://${newContainer('file')}/config`, { HOME: home(), OPENSTACK_CREDENTIAL_FILE: v1 });
    await a.writeFile('via v1 file');
    expect(await a.readText()).toBe('via v1 file');
    const k = s.keystone;
    const v3 = `[Default]\nidentity = ${k.authUrl}\nuser = ${k.user.name}\npassword = ${k.user.password}\ndomain_name = ${k.user.domainName}\ntenant_name = ${k.user.projectName}\n\n[Global]\nregion = RegionOne\n`;
    const b = await openSwift(`swift://${newContainer('file')}/config`, { HOME: home(v3) });
    await b.writeFile('via v3 file');
    expect(await b.readText()).toBe('via v3 file');
  });
});
