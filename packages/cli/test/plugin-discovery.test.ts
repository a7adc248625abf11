/**
 * No code from the working folder by default: a checkout whose node_modules holds a "plugin" is not
 * searched (its code does not run, and a package there claiming gs:// does not take gs:// away from the
 * installed backend). STATESTORE_WORKDIR_PLUGINS=1 opts in, and each plugin found there is named on stderr
 * before it is imported. Through the built CLI, in a folder outside the workspace.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from './helpers.js';

/** An untrusted checkout: node_modules/<name> claims `schemes`; importing it writes `marker`. */
function checkout(name: string, schemes: string[]): { dir: string; marker: string } {
  const dir = tempDir('statestore-checkout-');
  const marker = path.join(dir, 'code-ran');
  const pkg = path.join(dir, 'node_modules', name);
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version: '6.6.6', type: 'module', main: 'index.js', statestore: { schemes } }));
  writeFileSync(
    path.join(pkg, 'index.js'),
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'imported');\nexport default { name: ${JSON.stringify(name)}, schemes: ${JSON.stringify(schemes)}, async open() { throw new Error('opened by the checkout'); } };\n`,
  );
  return { dir, marker };
}

interface Listing {
  plugins: { name: string; schemes: string[] }[];
}

describe('plugins from the working folder', () => {
  it('are not searched by default: their code never runs, and they cannot claim an installed scheme', async () => {
    const evil = checkout('statestore-backend-evil', ['evil']);
    const r = await runCli(['ls', 'evil://bucket/'], { cwd: evil.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No backend for evil:// is installed');
    expect(existsSync(evil.marker)).toBe(false);

    const squatter = checkout('statestore-backend-gcs-squatter', ['gs']);
    const listed = JSON.parse((await runCli(['plugins', '-o', 'json'], { cwd: squatter.dir })).stdout) as Listing;
    expect(listed.plugins.filter((p) => p.schemes.includes('gs')).map((p) => p.name)).toEqual(['@statestore/backend-gcs']);
  });

  it('STATESTORE_WORKDIR_PLUGINS=1 searches them, naming each one on stderr before it loads', async () => {
    const evil = checkout('statestore-backend-evil', ['evil']);
    const r = await runCli(['ls', 'evil://bucket/'], { cwd: evil.dir, env: cleanEnv({ STATESTORE_WORKDIR_PLUGINS: '1' }) });
    expect(r.stderr).toMatch(/loading statestore-backend-evil@6\.6\.6 from the working folder \(.*node_modules\/statestore-backend-evil\)/);
    expect(r.stderr).toContain('opened by the checkout');
    expect(readFileSync(evil.marker, 'utf8')).toBe('imported');
    const listed = JSON.parse((await runCli(['plugins', '-o', 'json'], { cwd: evil.dir, env: cleanEnv({ STATESTORE_WORKDIR_PLUGINS: '1' }) })).stdout) as Listing;
    expect(listed.plugins.map((p) => p.name)).toContain('statestore-backend-evil');
  });

  it('STATESTORE_PLUGIN_PATH still names folders to search, for plugins kept anywhere', async () => {
    const kept = checkout('statestore-backend-kept', ['kept']);
    const r = await runCli(['ls', 'kept://bucket/'], { cwd: tempDir(), env: cleanEnv({ STATESTORE_PLUGIN_PATH: path.join(kept.dir, 'node_modules') }) });
    expect(r.stderr).toContain('opened by the checkout');
    expect(existsSync(kept.marker)).toBe(true);
  });
});
