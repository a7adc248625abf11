/**
 * Proves that opening file:// and memfs:// stores (and discovering plugins) loads no cloud SDK: a child
 * process records every module it resolves through a loader hook, and we inspect the record.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modulesResolvedBy } from '@statestore/testkit/module-loads';

const core = import.meta.resolve('@statestore/core');
const SDKS = ['@aws-sdk', '@smithy', '@google-cloud', 'ali-oss', 'node-vault', 'undici', '@azure'];

describe('no cloud SDK is loaded for file:// and memfs://', () => {
  it('records core modules but no SDK module', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nosdk-'));
    const { resolved, stdout } = modulesResolvedBy(
      `
      const core = await import(${JSON.stringify(core)});
      const f = await core.resolvePath(${JSON.stringify(path.join(dir, 'store'))});
      await f.join('c/config').writeFile('x'); await f.readTree(); await f.join('c/config').readText();
      const m = await core.resolvePath('memfs://nosdk/a'); await m.writeFile('y'); await m.copyTo(f.join('copy'));
      const installed = core.getDefaultRegistry().list().map((p) => p.name);
      console.log(JSON.stringify(installed));`,
      path.resolve(import.meta.dirname, '../../..'),
    );
    expect(resolved.some((u) => u.includes('/core/dist/path/vfs-path.js'))).toBe(true);
    for (const sdk of SDKS) expect(resolved.filter((u) => u.includes(`/node_modules/${sdk}`)), sdk).toEqual([]);
    // Discovery did run (the workspace has backends installed) without importing any of them.
    const installed = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
    expect(installed.length).toBeGreaterThan(0);
    expect(resolved.some((u) => u.includes('/backend-'))).toBe(false);
  });
});
