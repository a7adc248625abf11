/**
 * Opening is cheap: resolving an s3:// URL imports no AWS SDK module and sends nothing; the SDK is
 * imported on the first real request. A child process records every module it resolves through a loader
 * hook (built dist/), so nothing here waits for imports to settle.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { modulesResolvedBy } from '@statestore/testkit/module-loads';

const dist = path.resolve(import.meta.dirname, '../dist/index.js');

it('resolvePath loads no SDK module; the first request does', () => {
  expect(existsSync(dist), 'build the package first (pnpm --filter @statestore/backend-s3 build)').toBe(true);
  // Nothing listens on port 9: opening must not notice, the first request must.
  const setup = `
    const { PluginRegistry, resolvePath } = await import('@statestore/core');
    const registry = new PluginRegistry(() => []);
    registry.register((await import(${JSON.stringify(pathToFileURL(dist).href)})).default);
    const env = { S3_ENDPOINT: 'http://127.0.0.1:9', S3_ACCESS_KEY_ID: 'lazy', S3_SECRET_ACCESS_KEY: 'lazy-secret' };
    const path = await resolvePath('s3://lazy-bucket/cluster/config', { registry, env, retry: { maxAttempts: 1 } });
    console.log(path.toString());`;
  const opened = modulesResolvedBy(setup, path.dirname(dist));
  expect(opened.stdout.trim()).toBe('s3://lazy-bucket/cluster/config');
  expect(opened.resolved.some((u) => u.includes('/backend-s3/dist/s3-backend.js'))).toBe(true);
  expect(opened.resolved.filter((u) => /\/node_modules\/(@aws-sdk|@smithy)\//.test(u))).toEqual([]);
  const used = modulesResolvedBy(`${setup}\n    console.log(await path.exists().then(() => 'exists', (e) => e.message));`, path.dirname(dist));
  expect(used.stdout).toMatch(/lazy-bucket/);
  expect(used.resolved.some((u) => u.includes('/node_modules/@aws-sdk/client-s3/'))).toBe(true);
});
