import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidConfig } from '../src/index.js';
import { httpSettingsFor, proxyFor } from '../src/driver-kit/index.js';

describe('HTTP settings', () => {
  it('picks the proxy by scheme and honours NO_PROXY hosts, domains, ports and *', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://plain:3128', NO_PROXY: 'internal.example,.corp,127.0.0.1:9000' };
    expect(proxyFor('https://s3.amazonaws.com/b', env)).toBe('http://proxy:3128');
    expect(proxyFor('http://minio:9000/b', env)).toBe('http://plain:3128');
    expect(proxyFor('https://internal.example/x', env)).toBeUndefined();
    expect(proxyFor('https://a.b.corp/x', env)).toBeUndefined();
    expect(proxyFor('http://127.0.0.1:9000/x', env)).toBeUndefined();
    expect(proxyFor('http://127.0.0.1:9001/x', env)).toBe('http://plain:3128');
    expect(proxyFor('https://x', { ...env, NO_PROXY: '*' })).toBeUndefined();
  });
  it('reads extra CAs and the global timeout, and names a broken variable', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ca-'));
    const pem = path.join(dir, 'ca.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const s = httpSettingsFor('https://x', { env: { AWS_CA_BUNDLE: pem, STATESTORE_TIMEOUT: '5' }, caBundleVariable: 'AWS_CA_BUNDLE' });
    expect(s.extraCa).toHaveLength(1);
    expect(s.timeoutMs).toBe(5000);
    try {
      httpSettingsFor('https://x', { env: { AWS_CA_BUNDLE: '/nonexistent.pem' }, caBundleVariable: 'AWS_CA_BUNDLE' });
      expect.unreachable();
    } catch (e) {
      expect(isInvalidConfig(e)).toBe(true);
      expect((e as Error).message).toContain('AWS_CA_BUNDLE');
    }
  });
});
