/**
 * `open` is cheap: opening and describing gs:// stores loads no Cloud Storage SDK module; the first real
 * request does. A child process records every module it resolves through a loader hook (built dist/).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modulesResolvedBy } from '@statestore/testkit/module-loads';
import { emulator, newBucket } from './helpers.js';

const dist = path.resolve(import.meta.dirname, '../dist/index.js');
const resolvedModules = (script: string) => modulesResolvedBy(script, path.dirname(dist)).resolved;

describe('lazy SDK', () => {
  it('opening and describing load no @google-cloud module; the first request does', async () => {
    expect(existsSync(dist), 'build the package first (pnpm --filter @statestore/backend-gcs build)').toBe(true);
    const bucket = await newBucket('lazy');
    const setup = `
      const { parseUrl } = await import('@statestore/core');
      const plugin = (await import(${JSON.stringify(pathToFileURL(dist).href)})).default;
      const context = { env: { STORAGE_EMULATOR_HOST: ${JSON.stringify(emulator())} }, options: {}, warn() {} };
      const url = parseUrl('gs://${bucket}/cluster/config');
      const { backend, key } = await plugin.open(url, context);
      await plugin.describe(url, context);
      backend.urlFor(key);`;
    const opened = resolvedModules(setup);
    expect(opened.some((u) => u.includes('/backend-gcs/dist/gcs-backend.js'))).toBe(true);
    expect(opened.filter((u) => u.includes('/node_modules/@google-cloud/'))).toEqual([]);
    const used = resolvedModules(`${setup}\n      await backend.stat(key);`);
    expect(used.some((u) => u.includes('/node_modules/@google-cloud/storage/'))).toBe(true);
  });
});
