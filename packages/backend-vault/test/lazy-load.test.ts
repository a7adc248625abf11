/**
 * Opening a vault:// URL costs nothing: node-vault (and axios under it) load on the first request, not when
 * the plugin is imported, a URL is opened or described. This file runs in its own process (pool: forks), so
 * the CommonJS module cache shows exactly what this file loaded.
 */
import { createRequire } from 'node:module';
import { parseUrl } from '@statestore/core';
import { expect, inject, it } from 'vitest';
import vault from '../src/index.js';
import { vaultEnv, vaultUrl } from './helpers.js';

const server = inject('openbao');
const loaded = (name: string) => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`/node_modules/${name}/`));

it('node-vault is imported on the first request only', async () => {
  expect(loaded('node-vault')).toBe(false);
  const context = { env: vaultEnv(server), options: {}, warn: () => undefined };
  const url = parseUrl(vaultUrl(server, 'lazy/file'));
  const opened = await vault.open(url, context);
  await vault.describe!(url, context);
  expect(loaded('node-vault')).toBe(false);
  expect(loaded('axios')).toBe(false);
  expect(await opened.backend.stat(opened.key)).toBeUndefined();
  expect(loaded('node-vault')).toBe(true);
});
