/**
 * Settings: the kops variables (OSS_REGION, ALIYUN_ACCESS_KEY_ID/SECRET, ALIYUN_OSS_INTERNAL) read as kops
 * documented them — except that "false" no longer turns the internal endpoint on — the endpoint override and
 * its addressing, ACL and plugin options refused when wrong, `open` staying offline, and `describe` never
 * printing a secret.
 */
import { freePort } from '@statestore/testkit';
import { isInvalidConfig, isInvalidUrl, parseUrl } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import plugin, { ossSettings } from '../src/index.js';
import { openOss } from './helpers.js';

const url = parseUrl('oss://my-bucket/cluster/config');
const keys = { ALIYUN_ACCESS_KEY_ID: 'LTAIexample', ALIYUN_ACCESS_KEY_SECRET: 'secret-value-1234' };
const context = (env: NodeJS.ProcessEnv, options: Record<string, unknown> = {}) => ({ env, options, warn: () => undefined });

describe('ALIYUN_OSS_INTERNAL', () => {
  it('is on only for true/1/yes/on, off for false/0/no/off/empty, and refused otherwise', () => {
    for (const value of ['true', 'TRUE', '1', 'yes', 'on']) expect(ossSettings(url, { ...keys, ALIYUN_OSS_INTERNAL: value }).internal, value).toBe(true);
    for (const value of ['false', 'False', '0', 'no', 'off', '']) expect(ossSettings(url, { ...keys, ALIYUN_OSS_INTERNAL: value }).internal, value).toBe(false);
    expect(ossSettings(url, keys).internal).toBe(false);
    expect(() => ossSettings(url, { ...keys, ALIYUN_OSS_INTERNAL: 'maybe' })).toThrow(/ALIYUN_OSS_INTERNAL=maybe is not a boolean/);
  });

  it('selects the region\'s -internal endpoint', async () => {
    const internal = await plugin.describe!(url, context({ ...keys, OSS_REGION: 'oss-cn-beijing', ALIYUN_OSS_INTERNAL: 'true' }));
    expect(internal.endpoint).toBe('https://oss-cn-beijing-internal.aliyuncs.com');
    const external = await plugin.describe!(url, context({ ...keys, OSS_REGION: 'cn-beijing', ALIYUN_OSS_INTERNAL: 'false' }));
    expect(external.endpoint).toBe('https://oss-cn-beijing.aliyuncs.com');
  });
});

describe('region and endpoint', () => {
  it('OSS_REGION accepts oss-cn-hangzhou and cn-hangzhou', () => {
    expect(ossSettings(url, { ...keys, OSS_REGION: 'oss-cn-hangzhou' }).region).toBe('oss-cn-hangzhou');
    expect(ossSettings(url, { ...keys, OSS_REGION: 'cn-hangzhou' }).region).toBe('oss-cn-hangzhou');
    expect(() => ossSettings(url, { ...keys, OSS_REGION: 'hangzhou city' })).toThrow(/OSS_REGION/);
    expect(ossSettings(url, keys).region).toBeUndefined();
  });

  it('OSS_ENDPOINT: path-style on IP hosts or with OSS_PATH_STYLE, the region read from an aliyuncs.com host', () => {
    expect(ossSettings(url, { ...keys, OSS_ENDPOINT: 'http://127.0.0.1:9000' })).toMatchObject({ endpoint: 'http://127.0.0.1:9000', pathStyle: true });
    expect(ossSettings(url, { ...keys, OSS_ENDPOINT: 'oss-cn-shanghai.aliyuncs.com' })).toMatchObject({
      endpoint: 'https://oss-cn-shanghai.aliyuncs.com',
      pathStyle: false,
      region: 'oss-cn-shanghai',
    });
    expect(ossSettings(url, { ...keys, OSS_ENDPOINT: 'https://oss.private.example', OSS_PATH_STYLE: 'true' }).pathStyle).toBe(true);
    expect(() => ossSettings(url, { ...keys, OSS_ENDPOINT: 'ftp://x' })).toThrow(/OSS_ENDPOINT/);
    expect(() => ossSettings(url, { ...keys, OSS_ENDPOINT: 'http://127.0.0.1:9000/some/path' })).toThrow(/without a path/);
  });
});

describe('credentials', () => {
  it('ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET come together, with a security token when given', () => {
    expect(() => ossSettings(url, { ALIYUN_ACCESS_KEY_ID: 'LTAIx' })).toThrow(/ALIYUN_ACCESS_KEY_SECRET cannot be empty/);
    expect(() => ossSettings(url, { ALIYUN_ACCESS_KEY_SECRET: 'x' })).toThrow(/ALIYUN_ACCESS_KEY_ID cannot be empty/);
    expect(ossSettings(url, { ...keys, ALIYUN_SECURITY_TOKEN: 'CAIStoken' }).credentials).toMatchObject({ kind: 'static', securityToken: 'CAIStoken' });
    expect(ossSettings(url, { ...keys, ALIBABA_CLOUD_SECURITY_TOKEN: 'CAIS2' }).credentials).toMatchObject({ securityToken: 'CAIS2' });
    expect(ossSettings(url, { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIy', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'z' }).credentials).toMatchObject({ kind: 'static', accessKeyId: 'LTAIy' });
  });

  it('without keys: the ECS RAM role, unless the metadata service is disabled', () => {
    expect(ossSettings(url, { ALIBABA_CLOUD_ECS_METADATA: 'my-role' }).credentials).toEqual({ kind: 'ecs-ram-role', roleName: 'my-role', imdsV1Disabled: false });
    expect(() => ossSettings(url, { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' })).toThrow(/No Alibaba Cloud credentials/);
  });
});

describe('write settings', () => {
  it('objects are private unless STATESTORE_OSS_ACL or the acl option says otherwise; unknown ACLs are refused', () => {
    expect(ossSettings(url, keys).acl).toBe('private');
    expect(ossSettings(url, { ...keys, STATESTORE_OSS_ACL: 'public-read' }).acl).toBe('public-read');
    expect(ossSettings(url, keys, { acl: 'default' }).acl).toBe('default');
    expect(() => ossSettings(url, { ...keys, STATESTORE_OSS_ACL: 'everyone' })).toThrow(/private, public-read, public-read-write, default/);
  });

  it('signatureVersion is 4 by default or 1; partSize is at least 100 KiB', () => {
    expect(ossSettings(url, keys).signatureVersion).toBe(4);
    expect(ossSettings(url, keys, { signatureVersion: 1 }).signatureVersion).toBe(1);
    expect(() => ossSettings(url, keys, { signatureVersion: 2 })).toThrow(/signatureVersion/);
    expect(() => ossSettings(url, keys, { partSize: 1024 })).toThrow(/partSize/);
  });
});

describe('opening', () => {
  it('is offline: nothing is contacted until the first request', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const f = await openOss('oss://nobody-listens/x', { env: { OSS_ENDPOINT: dead }, retry: { maxAttempts: 1 } });
    expect(f.toString()).toBe('oss://nobody-listens/x');
    await expect(f.stat()).rejects.toSatisfy((e: Error) => e.name === 'TransientError');
  });

  it('refuses a bucket name OSS would refuse, and bad settings as InvalidConfig', async () => {
    for (const name of ['a', 'under_score', '-dash', 'x'.repeat(64)]) {
      const e = await openOss(`oss://${name}/k`).catch((error: unknown) => error);
      expect(isInvalidUrl(e), name).toBe(true);
    }
    const e = await plugin.open(url, context({ ALIYUN_OSS_INTERNAL: 'sure', ...keys })).catch((error: unknown) => error);
    expect(isInvalidConfig(e)).toBe(true);
  });
});

describe('describe', () => {
  it('reports where and how, never secrets', async () => {
    const described = await plugin.describe!(
      url,
      context({ ...keys, ALIYUN_SECURITY_TOKEN: 'CAIS-secret-token', OSS_REGION: 'oss-cn-hangzhou', OSS_ENDPOINT: `http://127.0.0.1:${await freePort()}` }),
    );
    expect(described).toMatchObject({
      bucket: 'my-bucket',
      region: 'oss-cn-hangzhou',
      addressing: 'path-style (/bucket/key)',
      credentials: 'ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET and ALIYUN_SECURITY_TOKEN',
      objectAcl: 'private',
      signatureVersion: 4,
    });
    const text = JSON.stringify(described);
    expect(text).not.toContain('secret-value-1234');
    expect(text).not.toContain('CAIS-secret-token');
  });
});
