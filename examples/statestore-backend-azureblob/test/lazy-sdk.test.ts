/**
 * Proves that importing the plugin and opening a URL loads no Azure SDK module, and that the first real
 * operation does: a child process records every module it resolves through a loader hook. Uses the
 * built plugin (dist/), as Statestore loads it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { azurite } from './harness.js';

it('the Azure SDK is imported on the first operation, not when the plugin loads or a URL opens', () => {
  const info = azurite();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'azureblob-lazy-'));
  try {
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
    const entry = pathToFileURL(path.resolve(import.meta.dirname, '../dist/index.js')).href;
    const script = `
      import { appendFileSync } from 'node:fs';
      const mark = (m) => appendFileSync(${JSON.stringify(log)}, '--- ' + m + '\\n');
      const { PluginRegistry, resolvePath } = await import('@statestore/core');
      const plugin = (await import(${JSON.stringify(entry)})).default;
      const registry = new PluginRegistry(() => []);
      registry.register(plugin);
      const env = { AZURE_STORAGE_KEY: ${JSON.stringify(info.accountKey)}, AZUREBLOB_ENDPOINT: ${JSON.stringify(info.endpoint)} };
      const p = await resolvePath('azureblob://${info.account}/lazy-check/a', { registry, env });
      mark('opened');
      console.log(await p.exists());
      mark('used');`;
    const out = execFileSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, '--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '..'),
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('false');
    const lines = readFileSync(log, 'utf8').split('\n');
    const opened = lines.indexOf('--- opened');
    const used = lines.indexOf('--- used');
    expect(opened).toBeGreaterThan(0);
    const azure = (from: number, to: number) => lines.slice(from, to).filter((u) => u.includes('/node_modules/@azure/'));
    expect(lines.slice(0, opened).some((u) => u.includes('statestore-backend-azureblob/dist/index.js'))).toBe(true);
    expect(azure(0, opened)).toEqual([]);
    expect(azure(opened, used).some((u) => u.includes('/@azure/storage-blob/'))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
