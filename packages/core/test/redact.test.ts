/**
 * The one redaction of URLs: user information (also a pasted secret that contains `/`), credential query
 * parameters, URLs inside free text, endpoints read from variables, typed errors and their causes.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NotFoundError, hasUserinfo, isInvalidUrl, parseUrl, redactSecrets, redactUrl, safeForMessage, withUrl } from '../src/index.js';
import { parseEndpoint } from '../src/driver-kit/index.js';

const PASTED = 's3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY@bucket/cluster/config';

describe('redactUrl', () => {
  it.each([
    ['http://user:pass@host:9000', 'http://***@host:9000'],
    ['https://user:p%40ss@host/path', 'https://***@host/path'],
    [PASTED, 's3://***@bucket/cluster/config'],
    ['s3://AKIA:se@cret@bucket/k', 's3://***@bucket/k'],
    ['s3://bucket/key?token=abc123', 's3://bucket/key?token=***'],
    ['s3://b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA/20260101/us-east-1/s3/aws4_request&X-Amz-Signature=fe5f80', 's3://b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Signature=***'],
    ['http://127.0.0.1:1/c/k%3Ftoken%3DQueryToken-1?timeout=5', 'http://127.0.0.1:1/c/k%3Ftoken%3D***?timeout=5'],
    ['azureblob://acct/c/k?sv=2024&sig=abc%2Bdef', 'azureblob://acct/c/k?sv=2024&sig=***'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(safeForMessage(url)).toBe(shown);
  });

  it('keeps what holds no credential: ports, keys with @, plain queries', () => {
    for (const url of ['vault://127.0.0.1:8200/secret/a@b?tls=false', 's3://bucket/a@b/c', 'gs://b/x?y=1', 'http://host:443/v3', '/tmp/store', 'memfs://x/y']) {
      expect(redactUrl(url)).toBe(url);
      expect(hasUserinfo(url)).toBe(false);
    }
    expect(hasUserinfo(PASTED)).toBe(true);
    expect(hasUserinfo('swift://tok:a/b@container/k')).toBe(true);
  });
});

describe('redactSecrets', () => {
  it('redacts every URL inside a text, and stops at the punctuation around it', () => {
    const text = `Cannot read ${PASTED}: denied (see s3://b/k?token=abc123), retried https://u:p@h/x.`;
    expect(redactSecrets(text, {})).toBe('Cannot read s3://***@bucket/cluster/config: denied (see s3://b/k?token=***), retried https://***@h/x.');
  });

  it('redacting twice changes nothing more', () => {
    const once = redactSecrets(`s3://b/k?token=abc and ${PASTED}`, {});
    expect(redactSecrets(once, {})).toBe(once);
  });
});

describe('parseUrl and endpoints', () => {
  it('refuses a store URL holding a pasted key pair, without showing the secret', () => {
    let error: unknown;
    try {
      parseUrl(PASTED);
    } catch (e) {
      error = e;
    }
    expect(isInvalidUrl(error)).toBe(true);
    expect(String(error)).toContain('credentials do not belong');
    expect(inspect(error, { depth: 5 })).not.toMatch(/wJalr|K7MDENG|bPxRfi/);
  });

  it('parseEndpoint drops user information and adds the default scheme', () => {
    expect(parseEndpoint('http://minio:Passw0rd-x@127.0.0.1:9000', 'S3_ENDPOINT', { example: 'x' }).href).toBe('http://127.0.0.1:9000/');
    expect(parseEndpoint('host:9000', 'S3_ENDPOINT', { defaultScheme: 'https', example: 'x' }).href).toBe('https://host:9000/');
    // The secret is registered: an SDK echoing it later is redacted too.
    expect(redactSecrets('echo Passw0rd-x', {})).toBe('echo ***');
    let error: unknown;
    try {
      parseEndpoint('ftp://u:Secret-ftp@host', 'OSS_ENDPOINT', { example: 'https://host' });
    } catch (e) {
      error = e;
    }
    expect(String(error)).toContain('OSS_ENDPOINT=ftp://***@host must be an http:// or https:// URL');
  });
});

describe('typed errors', () => {
  it('redact their message, URL and the text of their cause', () => {
    const cause = Object.assign(new Error('404 for /b/k?token=abc123'), { Key: 'k?token=abc123', request: { url: 'http://h/b/k%3Ftoken%3Dabc123' } });
    const e = new NotFoundError(`File not found: s3://b/k?token=abc123`, { url: 's3://b/k?token=abc123', cause });
    expect(e.message).toBe('File not found: s3://b/k?token=***');
    expect(e.url).toBe('s3://b/k?token=***');
    expect(inspect(e, { depth: 8 })).not.toContain('abc123');
    const wrapped = withUrl(new Error('boom'), PASTED, 'Cannot open');
    expect(wrapped.message).toBe('Cannot open s3://***@bucket/cluster/config failed: boom');
  });
});
