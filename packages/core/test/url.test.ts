import { describe, expect, it } from 'vitest';
import { isInvalidUrl, parseUrl, resolvePath } from '../src/index.js';

describe('parseUrl', () => {
  it('splits scheme, bucket and decoded key as kops does', () => {
    expect(parseUrl('s3://bucket/a%20b/c')).toMatchObject({ scheme: 's3', host: 'bucket', path: 'a b/c' });
    expect(parseUrl('S3://bucket')).toMatchObject({ scheme: 's3', host: 'bucket', path: '' });
    expect(parseUrl('gs://b/x+y')).toMatchObject({ path: 'x+y' });
    expect(parseUrl('s3://b/q?x#y')).toMatchObject({ path: 'q?x#y' });
  });
  it('memfs takes the host as the first path segment', () => {
    expect(parseUrl('memfs://a/b').path).toBe('a/b');
    expect(parseUrl('memfs:///a/b').path).toBe('a/b');
  });
  it('bare and file:// paths become absolute local paths', () => {
    expect(parseUrl('rel/dir', { cwd: '/base' })).toMatchObject({ scheme: 'file', path: 'base/rel/dir' });
    expect(parseUrl('file:///tmp/x').path).toBe('tmp/x');
    expect(parseUrl('/tmp/y').path).toBe('tmp/y');
  });
  it('rejects empty hosts, malformed escapes, NUL and credentials, without echoing secrets', () => {
    for (const bad of ['s3:///b/k', 'gs://', 's3://b/%zz', 's3://b/a\0', '']) {
      let error: unknown;
      try {
        parseUrl(bad);
      } catch (e) {
        error = e;
      }
      expect(isInvalidUrl(error), bad).toBe(true);
    }
    try {
      parseUrl('s3://AKIAXXXX:supersecret@bucket/k');
      expect.unreachable();
    } catch (e) {
      expect(isInvalidUrl(e)).toBe(true);
      expect((e as Error).message).not.toContain('supersecret');
      expect((e as Error).message).toContain('credentials do not belong');
    }
  });
});

describe('toString round trip', () => {
  it('prints keys unescaped except %, and parsing gives the same path', async () => {
    const p = (await resolvePath('memfs://rt')).join('100% sure', 'a b?c#d');
    expect(p.toString()).toBe('memfs://rt/100%25 sure/a b?c#d');
    const again = await resolvePath(p.toString());
    expect(again.key).toBe(p.key);
  });
  it('a local path prints as a bare absolute path', async () => {
    expect((await resolvePath('file:///tmp/store/c')).toString()).toBe('/tmp/store/c');
    expect((await resolvePath('store', { cwd: '/srv' })).toString()).toBe('/srv/store');
  });
});

describe('typos and empty variables are InvalidUrl, never a local folder', () => {
  const invalid = (input: string): Error => {
    try {
      parseUrl(input, { cwd: '/work' });
    } catch (e) {
      expect(isInvalidUrl(e), input).toBe(true);
      return e as Error;
    }
    throw new Error(`${input} was accepted`);
  };

  it('text that starts like a URL must be scheme:// with what the scheme needs', () => {
    expect(invalid('s3:/bucket').message).toMatch(/starts with s3: but not s3:\/\/ — a store URL looks like s3:\/\/BUCKET\/PATH. For a local path that contains ':', write \.\/s3:\/bucket/);
    expect(invalid('s3:').message).toContain('s3://BUCKET/PATH');
    expect(invalid('gs:bucket/x').message).toContain('gs://BUCKET/PATH');
    expect(invalid('vault:host/kv').message).toContain('vault://HOST:PORT/MOUNT/PATH');
    expect(invalid('whatever:thing').message).toContain('whatever://BUCKET/PATH');
    for (const empty of ['s3://', 'gs://', 'swift://', 'oss://', 'vault://']) expect(invalid(empty).message).toContain('no bucket or host after');
    expect(invalid('file://').message).toContain('no path after file://');
  });

  it('a bare scheme name gets a did-you-mean and the ./NAME hint for a folder', () => {
    expect(invalid('memfs').message).toMatch(/name of a scheme, not a store. Did you mean memfs:\/\/NAME\?.*write \.\/memfs\./);
    expect(invalid('s3').message).toMatch(/Did you mean s3:\/\/BUCKET\/PATH\?.*s3:\/\/\$BUCKET.*write \.\/s3\./);
    expect(invalid('S3').message).toContain('Did you mean s3://BUCKET/PATH?');
    expect(invalid('file').message).toContain('Did you mean file:///ABSOLUTE/PATH?');
  });

  it('every other bare path is still a local path', () => {
    expect(parseUrl('./s3', { cwd: '/work' })).toMatchObject({ scheme: 'file', path: 'work/s3' });
    expect(parseUrl('./memfs', { cwd: '/work' }).path).toBe('work/memfs');
    expect(parseUrl('s3/clusters', { cwd: '/work' }).path).toBe('work/s3/clusters');
    expect(parseUrl('./s3:/bucket', { cwd: '/work' }).path).toBe('work/s3:/bucket');
    expect(parseUrl('state', { cwd: '/work' }).path).toBe('work/state');
    expect(parseUrl('file:///').path).toBe('');
    expect(parseUrl('memfs://').scheme).toBe('memfs');
  });

  it('never echoes what may be a password in a mistyped URL', () => {
    expect(invalid('s3:/AKIAKEY:supersecret@bucket').message).not.toContain('supersecret');
  });
});

describe('a scheme nobody serves', () => {
  it('suggests the known scheme one letter away', async () => {
    const { PluginRegistry } = await import('../src/index.js');
    await expect(resolvePath('gcs://bucket/x', { registry: new PluginRegistry(() => []) })).rejects.toThrow(/No backend for gcs:\/\/ is installed.*Did you mean gs:\/\/\?/);
  });
});
