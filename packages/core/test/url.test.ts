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
