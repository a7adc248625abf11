/**
 * Proves that opening file:// and memfs:// stores (and discovering plugins) loads no cloud SDK: a child
 * process records every module it resolves through a loader hook, and we inspect the record.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = pathToFileURL(path.resolve(import.meta.dirname, '../dist/index.js')).href;
const SDKS = ['@aws-sdk', '@smithy', '@google-cloud', 'ali-oss', 'node-vault', 'undici', '@azure'];

describe('no cloud SDK is loaded for file:// and memfs://', () => {
  it('records core modules but no SDK module', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nosdk-'));
    const log = path.join(dir, 'resolved.log');
    writeFileSync(
      path.join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`,
    );
    writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});`);
    const script = `
      const core = await import(${JSON.stringify(dist)});
      const f = await core.resolvePath(${JSON.stringify(path.join(dir, 'store'))});
      await f.join('c/config').writeFile('x'); await f.readTree(); await f.join('c/config').readText();
      const m = await core.resolvePath('memfs://nosdk/a'); await m.writeFile('y'); await m.copyTo(f.join('copy'));
      const installed = core.getDefaultRegistry().list().map((p) => p.name);
      console.log(JSON.stringify(installed));`;
    const out = execFileSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, '--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      encoding: 'utf8',
    });
    const resolved = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(resolved.some((u) => u.includes('/core/dist/path/vfs-path.js'))).toBe(true);
    for (const sdk of SDKS) expect(resolved.filter((u) => u.includes(`/node_modules/${sdk}`)), sdk).toEqual([]);
    // Discovery did run (the workspace has backends installed) without importing any of them.
    const installed = JSON.parse(out.trim().split('\n').pop()!) as string[];
    expect(installed.length).toBeGreaterThan(0);
    expect(resolved.some((u) => u.includes('/backend-'))).toBe(false);
  });
});
