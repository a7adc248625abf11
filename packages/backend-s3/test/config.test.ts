/**
 * Settings from the URL and the kops environment variables (offline): flavours need S3_ENDPOINT and say
 * so, S3-compatible endpoints use path-style addressing, S3_REGION and static keys, KOPS_STATE_S3_ACL,
 * STATESTORE_S3_SSE and the cache folder.
 */
import { isInvalidConfig, parseUrl, resolvePath } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';
import { registry } from './helpers.js';

const keys = { S3_ACCESS_KEY_ID: 'AKIATESTKEYID', S3_SECRET_ACCESS_KEY: 'very-secret-value-123' };

describe('s3:// on AWS', () => {
  it('uses the SDK default chain, SSE, dual-stack and virtual-hosted addressing when no endpoint is set', () => {
    const c = readConfig(parseUrl('s3://state-store/cluster'), {});
    expect(c).toMatchObject({ scheme: 's3', bucket: 'state-store', sse: 'auto', dualStack: true, forcePathStyle: false, checksumWhenRequired: false });
    expect(c.endpoint).toBeUndefined();
    expect(c.credentials).toEqual({ kind: 'default-chain' });
  });
  it('reads AWS_REGION, AWS_PROFILE, AWS keys from the given environment, and the SDK endpoint override', () => {
    expect(readConfig(parseUrl('s3://b'), { AWS_REGION: 'eu-west-3', AWS_PROFILE: 'ops' })).toMatchObject({ awsRegion: 'eu-west-3', credentials: { kind: 'default-chain', profile: 'ops' } });
    const c = readConfig(parseUrl('s3://b'), { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 'shh-secret', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' });
    expect(c.credentials).toMatchObject({ kind: 'static', accessKeyId: 'AKIA1' });
    expect(c.awsEndpoint).toBe('http://127.0.0.1:9');
    expect(c.dualStack).toBe(false);
  });
  it('AWS_USE_DUALSTACK_ENDPOINT=false turns dual-stack off', () => {
    expect(readConfig(parseUrl('s3://b'), { AWS_USE_DUALSTACK_ENDPOINT: 'false' }).dualStack).toBe(false);
  });
});

describe('S3_ENDPOINT', () => {
  it('switches to path-style, S3_REGION (default us-east-1), static S3_* keys and required-only checksums', () => {
    const c = readConfig(parseUrl('s3://b/p'), { S3_ENDPOINT: 'http://127.0.0.1:9000/', ...keys });
    expect(c).toMatchObject({ endpoint: 'http://127.0.0.1:9000', fixedRegion: 'us-east-1', forcePathStyle: true, checksumWhenRequired: true, dualStack: false, sse: 'auto' });
    expect(c.credentials).toMatchObject({ kind: 'static', accessKeyId: 'AKIATESTKEYID', source: 'S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY' });
    expect(readConfig(parseUrl('s3://b'), { S3_ENDPOINT: 'http://x', S3_REGION: ' fr-par ', ...keys }).fixedRegion).toBe('fr-par');
  });
  it('adds https:// to a bare host, as kops users write it for DigitalOcean', () => {
    expect(readConfig(parseUrl('do://space'), { S3_ENDPOINT: 'nyc3.digitaloceanspaces.com', ...keys }).endpoint).toBe('https://nyc3.digitaloceanspaces.com');
  });
  it('requires both static keys, naming the missing variable and never the secret', () => {
    expect(() => readConfig(parseUrl('s3://b'), { S3_ENDPOINT: 'http://x', S3_SECRET_ACCESS_KEY: keys.S3_SECRET_ACCESS_KEY })).toThrow(/S3_ACCESS_KEY_ID cannot be empty when S3_ENDPOINT is set/);
    let message = '';
    try {
      readConfig(parseUrl('s3://b'), { S3_ENDPOINT: 'http://x', S3_ACCESS_KEY_ID: keys.S3_ACCESS_KEY_ID });
    } catch (e) {
      expect(isInvalidConfig(e)).toBe(true);
      message = (e as Error).message;
    }
    expect(message).toMatch(/S3_SECRET_ACCESS_KEY cannot be empty/);
    expect(message).not.toContain(keys.S3_SECRET_ACCESS_KEY);
  });
  it('refuses an endpoint that is not http(s)', () => {
    expect(() => readConfig(parseUrl('s3://b'), { S3_ENDPOINT: 'ftp://host', ...keys })).toThrow(/http:\/\/ or https:\/\//);
  });
});

describe('flavour schemes', () => {
  const services: Record<string, RegExp> = { do: /DigitalOcean Spaces/, linode: /Linode/, hos: /Hetzner/, scw: /Scaleway/ };
  for (const [scheme, service] of Object.entries(services)) {
    it(`${scheme}:// without S3_ENDPOINT says that S3_ENDPOINT (and the keys) must be set`, async () => {
      const url = `${scheme}://my-bucket/cluster/config`;
      let error: unknown;
      try {
        await resolvePath(url, { registry, env: {} });
      } catch (e) {
        error = e;
      }
      expect(isInvalidConfig(error)).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain(`${scheme}://my-bucket needs S3_ENDPOINT`);
      expect(message).toMatch(service);
      expect(message).toMatch(/S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/);
    });
    it(`${scheme}:// keeps its scheme, follows STATESTORE_S3_SSE like any custom endpoint, and uses path-style addressing`, () => {
      const c = readConfig(parseUrl(`${scheme}://bucket/a b`), { S3_ENDPOINT: 'https://example.invalid', ...keys });
      expect(c).toMatchObject({ scheme, bucket: 'bucket', sse: 'auto', forcePathStyle: true });
    });
  }
});

describe('STATESTORE_S3_SSE and STATESTORE_CACHE', () => {
  it('takes auto, require or off in any case, auto when unset or empty', () => {
    expect(readConfig(parseUrl('s3://b'), { STATESTORE_S3_SSE: 'REQUIRE' }).sse).toBe('require');
    expect(readConfig(parseUrl('s3://b'), { STATESTORE_S3_SSE: ' off ' }).sse).toBe('off');
    expect(readConfig(parseUrl('s3://b'), { STATESTORE_S3_SSE: '' }).sse).toBe('auto');
    expect(() => readConfig(parseUrl('s3://b'), { STATESTORE_S3_SSE: 'always' })).toThrow(/STATESTORE_S3_SSE=always is not one of auto, require, off/);
  });
  it('keeps decisions in $STATESTORE_CACHE, else in $HOME/.cache/statestore', () => {
    expect(readConfig(parseUrl('s3://b'), { STATESTORE_CACHE: '/tmp/c' }).cacheDir).toBe('/tmp/c');
    expect(readConfig(parseUrl('s3://b'), { HOME: '/home/ops' }).cacheDir).toBe('/home/ops/.cache/statestore');
  });
});

describe('KOPS_STATE_S3_ACL and plugin options', () => {
  it('KOPS_STATE_S3_ACL is trimmed and applies to every flavour', () => {
    expect(readConfig(parseUrl('s3://b'), { KOPS_STATE_S3_ACL: ' bucket-owner-full-control ' }).acl).toBe('bucket-owner-full-control');
    expect(readConfig(parseUrl('scw://b'), { S3_ENDPOINT: 'https://s3.fr-par.scw.cloud', KOPS_STATE_S3_ACL: 'private', ...keys }).acl).toBe('private');
    expect(readConfig(parseUrl('s3://b'), { KOPS_STATE_S3_ACL: '  ' }).acl).toBeUndefined();
  });
  it('multipart part size and queue size are validated', () => {
    expect(readConfig(parseUrl('s3://b'), {}, { multipartPartSize: 6 * 1024 * 1024, multipartQueueSize: 2 }).multipart).toEqual({ partSize: 6 * 1024 * 1024, queueSize: 2 });
    expect(() => readConfig(parseUrl('s3://b'), {}, { multipartPartSize: 1024 })).toThrow(/at least 5 MiB/);
    expect(() => readConfig(parseUrl('s3://b'), {}, { multipartQueueSize: 0 })).toThrow(/multipartQueueSize/);
  });
  it('a bucket with a port is refused: the endpoint belongs in S3_ENDPOINT', () => {
    expect(() => readConfig(parseUrl('s3://host:9000/b'), {})).toThrow(/S3_ENDPOINT/);
  });
});
