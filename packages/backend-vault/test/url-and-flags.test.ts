/**
 * The vault:// URL grammar, the printed form round-tripping, kops's feature-flag parsing and the refusal when
 * the flag is off, and the settings read from the environment. No server needed.
 */
import { isInvalidConfig, parseUrl, resolvePath } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { readVaultSettings } from '../src/config.js';
import vault, { featureFlagEnabled, formatVaultUrl, parseVaultUrl } from '../src/index.js';
import { registry } from './helpers.js';

const parse = (url: string) => parseVaultUrl(parseUrl(url));
const context = (env: NodeJS.ProcessEnv) => ({ env, options: {}, warn: () => undefined });

describe('vault:// URLs', () => {
  it('TLS by default; ?tls=false (exactly, at the end) selects plain HTTP', () => {
    expect(parse('vault://vault.example.com:8200/secret/clusters/a/secrets/admin')).toEqual({
      hostPort: 'vault.example.com:8200',
      tls: true,
      mount: 'secret',
      key: 'clusters/a/secrets/admin',
    });
    expect(parse('vault://localhost:8200/foo/bar?tls=false')).toEqual({ hostPort: 'localhost:8200', tls: false, mount: 'foo', key: 'bar' });
    expect(parse('vault://foo.test.bar/foo/bar?tls=false').tls).toBe(false);
    expect(parse('vault://foo.test.bar/foo/bar').tls).toBe(true);
  });

  it('prints vault://HOST:PORT/MOUNT/KEY (+ ?tls=false), and parsing the print gives the same location', () => {
    expect(formatVaultUrl({ hostPort: 'localhost:8200', tls: false, mount: 'secret' }, 'foo/bar')).toBe('vault://localhost:8200/secret/foo/bar?tls=false');
    expect(formatVaultUrl({ hostPort: 'h:8200', tls: true, mount: 'secret' }, 'a/b')).toBe('vault://h:8200/secret/a/b');
    expect(formatVaultUrl({ hostPort: 'h:8200', tls: true, mount: 'secret' }, '')).toBe('vault://h:8200/secret/');
    const keys = ['', 'a', 'with space/x', 'per%cent', 'q?mark', 'hash#mark', 'ünï/鍵', 'plus+sign', 'ends?tls=false', 'a%3Fb', 'x?tls=true'];
    for (const tls of [true, false]) {
      for (const key of keys) {
        const location = { hostPort: '127.0.0.1:8200', tls, mount: 'secret' };
        const printed = formatVaultUrl(location, key);
        expect(parse(printed), printed).toEqual({ ...location, key });
        expect(formatVaultUrl(location, parse(printed).key)).toBe(printed);
      }
    }
  });

  it('refuses a URL without a mount, and a query other than ?tls=false', () => {
    for (const bad of ['vault://h:8200', 'vault://h:8200/', 'vault://h:8200/?tls=false', 'vault://h:8200/secret/a?tls=true', 'vault://h:8200/secret/a?tls=0']) {
      expect(() => parse(bad), bad).toThrow(expect.objectContaining({ code: 'InvalidUrl' }));
    }
    expect(() => parse('vault://h:8200/secret/a?tls=true')).toThrow(/only query vault:\/\/ understands is "\?tls=false"/);
  });

  it('a mount alone is the mount root', () => {
    expect(parse('vault://h/secret')).toEqual({ hostPort: 'h', tls: true, mount: 'secret', key: '' });
    expect(parse('vault://h/secret/?tls=false')).toEqual({ hostPort: 'h', tls: false, mount: 'secret', key: '' });
  });
});

describe('the VFSVaultSupport feature flag', () => {
  it('is parsed as kops parses KOPS_FEATURE_FLAGS (Name and +Name enable, -Name disables, last wins)', () => {
    const on = (KOPS_FEATURE_FLAGS?: string, STATESTORE_FEATURE_FLAGS?: string) => featureFlagEnabled({ KOPS_FEATURE_FLAGS, STATESTORE_FEATURE_FLAGS }, 'VFSVaultSupport');
    expect(on()).toBe(false);
    expect(on('VFSVaultSupport')).toBe(true);
    expect(on('+VFSVaultSupport')).toBe(true);
    expect(on('EnableExternalDNS, +VFSVaultSupport ,Other')).toBe(true);
    expect(on('-VFSVaultSupport')).toBe(false);
    expect(on('+VFSVaultSupport,-VFSVaultSupport')).toBe(false);
    expect(on('vfsvaultsupport')).toBe(false);
    expect(on('VFSVaultSupportX')).toBe(false);
    expect(on(undefined, '+VFSVaultSupport')).toBe(true);
    expect(on('+VFSVaultSupport', '-VFSVaultSupport')).toBe(false);
    expect(on('-VFSVaultSupport', 'VFSVaultSupport')).toBe(true);
  });

  it('off: opening a vault:// URL fails before any request, saying how to enable it', async () => {
    // Port 9 on 127.0.0.1: nothing listens; the refusal must come first.
    for (const env of [{}, { KOPS_FEATURE_FLAGS: 'SomethingElse' }, { KOPS_FEATURE_FLAGS: '-VFSVaultSupport' }]) {
      const error = await resolvePath('vault://127.0.0.1:9/secret/clusters/a?tls=false', { registry, env: { VAULT_TOKEN: 'unused-token', ...env } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isInvalidConfig(error)).toBe(true);
      expect((error as Error).message).toContain('KOPS_FEATURE_FLAGS=+VFSVaultSupport');
      expect((error as Error).message).toContain('STATESTORE_FEATURE_FLAGS');
      expect((error as Error).message).toContain('vault://127.0.0.1:9/secret/clusters/a?tls=false');
    }
  });

  it('on: opening is lazy (no request is made) and gives the key below the mount', async () => {
    const opened = await vault.open(parseUrl('vault://127.0.0.1:9/secret/clusters/a?tls=false'), context({ KOPS_FEATURE_FLAGS: 'VFSVaultSupport', VAULT_TOKEN: 't' }));
    expect(opened.key).toBe('clusters/a');
    expect(opened.backend.urlFor('clusters/a/pki')).toBe('vault://127.0.0.1:9/secret/clusters/a/pki?tls=false');
  });
});

describe('settings from the environment', () => {
  it('VAULT_TOKEN selects token auth; otherwise AWS IAM with the host name as the server ID (as kops)', () => {
    expect(readVaultSettings({ VAULT_TOKEN: ' s.abc ' }, { hostPort: 'v:8200' }).auth).toEqual({ method: 'token', token: 's.abc' });
    expect(readVaultSettings({}, { hostPort: 'vault.example.com:8200' }).auth).toEqual({
      method: 'aws-iam',
      role: '',
      mount: 'aws',
      serverId: 'vault.example.com',
      credentials: undefined,
    });
    const aws = readVaultSettings(
      { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'SECRET', AWS_SESSION_TOKEN: 'SESSION', VAULT_AWS_ROLE: 'nodes.a', VAULT_AWS_AUTH_MOUNT: '/aws-east/', VAULT_AWS_IAM_SERVER_ID: '' },
      { hostPort: '[::1]:8200' },
    ).auth;
    expect(aws).toEqual({
      method: 'aws-iam',
      role: 'nodes.a',
      mount: 'aws-east',
      serverId: undefined,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'SESSION' },
    });
  });

  it("VAULT_SKIP_VERIFY is a yes/no in core's one dialect (Go's words, and yes/no, on/off); VAULT_NAMESPACE is passed on", () => {
    expect(readVaultSettings({ VAULT_SKIP_VERIFY: 'true', VAULT_NAMESPACE: 'team/a' }, { hostPort: 'h' })).toMatchObject({ skipVerify: true, namespace: 'team/a' });
    expect(readVaultSettings({ VAULT_SKIP_VERIFY: 'TRUE' }, { hostPort: 'h' }).skipVerify).toBe(true);
    expect(readVaultSettings({ VAULT_SKIP_VERIFY: 'yes' }, { hostPort: 'h' }).skipVerify).toBe(true);
    expect(readVaultSettings({ VAULT_SKIP_VERIFY: '0' }, { hostPort: 'h' }).skipVerify).toBe(false);
    expect(() => readVaultSettings({ VAULT_SKIP_VERIFY: 'maybe' }, { hostPort: 'h' })).toThrow(/VAULT_SKIP_VERIFY/);
  });

  it('describe reports the settings and never the token', async () => {
    const token = 's.describe-me-never';
    const description = await vault.describe!(parseUrl('vault://127.0.0.1:8200/secret/a'), context({ VAULT_TOKEN: token, VAULT_NAMESPACE: 'ns1' }));
    expect(description).toMatchObject({ address: 'https://127.0.0.1:8200', mount: 'secret', auth: 'token (VAULT_TOKEN)', namespace: 'ns1' });
    expect(String(description.featureFlag)).toContain('off');
    expect(JSON.stringify(description)).not.toContain(token);
  });
});
