/**
 * Core's main entry is storage only: a program that imports `@statestore/core` and opens a file:// store
 * loads no kops configuration model (`@statestore/core/config`), no `yaml`, no proxy agent, no HTTP
 * settings, and not the driver kit's entry. The program runs in its own node process with a resolution
 * hook that prints every module it loads; the list is checked, including that the file backend itself was
 * loaded (so an empty list cannot pass).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const fixtures = path.join(import.meta.dirname, 'fixtures', 'module-log');
const storeDir = mkdtempSync(path.join(tmpdir(), 'statestore-entry-'));
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));

/** Runs a fixture under the module-logging hook: what it printed, and every module URL it loaded. */
function run(script: string): { stdout: string; modules: string[] } {
  const child = spawnSync(process.execPath, ['--import', path.join(fixtures, 'register.mjs'), path.join(fixtures, script)], {
    cwd: path.join(import.meta.dirname, '..'),
    env: { ...process.env, STORE_DIR: storeDir },
    encoding: 'utf8',
  });
  const lines = child.stderr.split('\n');
  expect(child.status, lines.filter((l) => !l.startsWith('loaded ')).join('\n')).toBe(0);
  return { stdout: child.stdout, modules: lines.filter((l) => l.startsWith('loaded ')).map((l) => l.slice('loaded '.length)) };
}

describe("what resolvePath('file://…') loads", () => {
  it('core, the file backend and node: nothing of the configuration model, yaml, proxies or the driver kit entry', () => {
    const { stdout, modules } = run('open-file-store.mjs');
    expect(JSON.parse(stdout)).toEqual({ text: 'spec: {}\n', entries: ['cluster'] });
    expect(modules.some((m) => m.endsWith('/dist/backends/file/file-backend.js'))).toBe(true);
    expect(modules.some((m) => m.endsWith('/dist/resolve.js'))).toBe(true);
    const unwanted = modules.filter((m) =>
      [/\/node_modules\/yaml\//, /\/dist\/config\//, /\/dist\/config-entry\.js$/, /https-proxy-agent|agent-base/, /\/dist\/http\/http-settings\.js$/, /\/dist\/driver-kit\/index\.js$/].some((p) => p.test(m)),
    );
    expect(unwanted).toEqual([]);
  });

  it('the configuration entry does load the model and yaml (the check above can see them)', () => {
    const { modules } = run('open-config.mjs');
    expect(modules.some((m) => m.endsWith('/dist/config-entry.js'))).toBe(true);
    expect(modules.some((m) => m.endsWith('/dist/config/kops-model.js'))).toBe(true);
    expect(modules.some((m) => /\/node_modules\/yaml\//.test(m) || /\/yaml\/dist\//.test(m))).toBe(true);
  });
});
