/**
 * Regression tests named after the kops VFS weaknesses (shared/reference/kops-vfs.md §10) that belong to
 * no single backend.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginRegistry, TransientError, isTransient, resolvePath, withRetry } from '@statestore/core';

describe('kops VFS weaknesses', () => {
  it('weakness 18: RetryWithBackoff cannot be cancelled — our retries stop at once on abort', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const p = withRetry(
      async () => {
        attempts++;
        throw new TransientError('503');
      },
      { maxAttempts: 100, baseDelayMs: 60_000, maxDelayMs: 60_000, deadlineMs: 600_000 },
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error('user pressed ctrl-c')), 50);
    await expect(p).rejects.toThrow('ctrl-c');
    expect(attempts).toBe(1);
  });

  it('weakness 25: the cache has no single-flight — concurrent first uses of a scheme import its plugin once', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'singleflight-'));
    const dir = path.join(root, 'node_modules', 'statestore-backend-once');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'statestore-backend-once', version: '1.0.0', type: 'module', main: 'index.js', statestore: { schemes: ['once'] } }));
    writeFileSync(
      path.join(dir, 'index.js'),
      `globalThis.__imports = (globalThis.__imports ?? 0) + 1;
       const core = await import(${JSON.stringify(import.meta.resolve('@statestore/core'))});
       const backend = new core.MemfsBackend();
       export default { name: 'statestore-backend-once', schemes: ['once'], async open(u) { return { backend, key: u.path }; } };`,
    );
    const registry = new PluginRegistry(() => [path.join(root, 'node_modules')]);
    const paths = await Promise.all(Array.from({ length: 20 }, (_, i) => resolvePath(`once://b/k${i}`, { registry })));
    expect((globalThis as { __imports?: number }).__imports).toBe(1);
    expect(paths.map((p) => p.key)).toContain('k19');
  });

  it('weakness 18: HTTP reads have no timeout — a server that never answers fails with a Transient timeout', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent = http.createServer(() => undefined);
    silent.on('connection', (s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const env = { ...process.env, S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_ACCESS_KEY_ID: 'AKIATEST', S3_SECRET_ACCESS_KEY: 'not-a-real-secret', STATESTORE_TIMEOUT: '1' };
      const p = await resolvePath('s3://bucket/cluster/config', { env, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 } });
      const e = await p.readFile().catch((x) => x);
      expect(isTransient(e), String(e)).toBe(true);
      expect(Date.now() - started).toBeLessThan(30_000); // bounded: 2 attempts of a 1 s timeout, not forever
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
