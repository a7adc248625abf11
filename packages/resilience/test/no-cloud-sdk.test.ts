/**
 * Proves that opening file:// and memfs:// stores (and discovering plugins) loads no cloud SDK, and that
 * core's main entry is storage only: no kops configuration model (`@statestore/core/config`), no `yaml`, no
 * proxy agent, no HTTP settings and not the driver kit's entry. A child process records every module it
 * resolves through a loader hook, and we inspect the record; the configuration entry, imported the same
 * way, is seen to load what the first program must not (so the check can fail).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modulesResolvedBy } from '@statestore/testkit/module-loads';

const core = import.meta.resolve('@statestore/core');
const coreConfig = import.meta.resolve('@statestore/core/config');
const SDKS = ['@aws-sdk', '@smithy', '@google-cloud', 'ali-oss', 'node-vault', 'undici', '@azure'];
/** What a program that only opens stores must not load. */
const NOT_STORAGE: RegExp[] = [/\/node_modules\/yaml\//, /\/core\/dist\/config\//, /\/core\/dist\/config-entry\.js$/, /https-proxy-agent|agent-base/, /\/core\/dist\/http\/http-settings\.js$/, /\/core\/dist\/driver-kit\/index\.js$/];
const repo = path.resolve(import.meta.dirname, '../../..');

describe('no cloud SDK is loaded for file:// and memfs://', () => {
  it('records core modules but no SDK module, and nothing but storage from core', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nosdk-'));
    const { resolved, stdout } = modulesResolvedBy(
      `
      const core = await import(${JSON.stringify(core)});
      const f = await core.resolvePath(${JSON.stringify(`file://${path.join(dir, 'store')}`)});
      await f.join('c/config').writeFile('x'); await f.readTree(); await f.join('c/config').readText();
      const m = await core.resolvePath('memfs://nosdk/a'); await m.writeFile('y'); await m.copyTo(f.join('copy'));
      const installed = core.getDefaultRegistry().list().map((p) => p.name);
      console.log(JSON.stringify(installed));`,
      repo,
    );
    expect(resolved.some((u) => u.includes('/core/dist/path/vfs-path.js'))).toBe(true);
    expect(resolved.some((u) => u.includes('/core/dist/backends/file/file-backend.js'))).toBe(true);
    for (const sdk of SDKS) expect(resolved.filter((u) => u.includes(`/node_modules/${sdk}`)), sdk).toEqual([]);
    expect(resolved.filter((u) => NOT_STORAGE.some((p) => p.test(u)))).toEqual([]);
    // Discovery did run (the workspace has backends installed) without importing any of them.
    const installed = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
    expect(installed.length).toBeGreaterThan(0);
    expect(resolved.some((u) => u.includes('/backend-'))).toBe(false);
  });

  it('the configuration entry loads the model and yaml (what the check above looks for)', () => {
    const { resolved } = modulesResolvedBy(`const config = await import(${JSON.stringify(coreConfig)}); console.log(typeof config.KopsYamlDocument);`, repo);
    expect(resolved.some((u) => u.endsWith('/core/dist/config-entry.js'))).toBe(true);
    expect(resolved.some((u) => u.endsWith('/core/dist/config/kops-model.js'))).toBe(true);
    expect(resolved.some((u) => /\/node_modules\/(\.pnpm\/yaml@[^/]+\/node_modules\/)?yaml\//.test(u))).toBe(true);
  });
});
