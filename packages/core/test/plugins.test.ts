import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_SCHEME_PACKAGES, MemfsBackend, PluginRegistry, defaultSearchRoots, discoverPlugins, isBackendNotInstalled, isConflict, resolvePath } from '../src/index.js';

function fakePackage(root: string, name: string, schemes: string[], body = 'export default { name: NAME, schemes: SCHEMES, async open(url) { globalThis.__opened = (globalThis.__opened ?? 0) + 1; return { backend: globalThis.__fakeBackend, key: url.path }; } };') {
  const dir = path.join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', type: 'module', exports: { '.': { import: './index.js' } }, statestore: { schemes } }));
  writeFileSync(path.join(dir, 'index.js'), body.replace('NAME', JSON.stringify(name)).replace('SCHEMES', JSON.stringify(schemes)));
  return dir;
}

describe('plugin discovery and loading', () => {
  it('finds @statestore/backend-*, statestore-backend-* and @scope/statestore-backend-* by package.json alone', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'plugins-'));
    fakePackage(root, '@statestore/backend-fake', ['fake']);
    fakePackage(root, 'statestore-backend-other', ['other']);
    fakePackage(root, '@acme/statestore-backend-acme', ['acme']);
    fakePackage(root, 'unrelated-package', ['nope']);
    const found = discoverPlugins([path.join(root, 'node_modules')]);
    expect(found.map((p) => p.name).sort()).toEqual(['@acme/statestore-backend-acme', '@statestore/backend-fake', 'statestore-backend-other']);
    expect(found.find((p) => p.name === '@statestore/backend-fake')).toMatchObject({ version: '1.2.3', schemes: ['fake'] });
  });

  it('counts one package reached by two routes once', () => {
    const a = mkdtempSync(path.join(os.tmpdir(), 'plugins-a-'));
    const b = mkdtempSync(path.join(os.tmpdir(), 'plugins-b-'));
    const dir = fakePackage(a, 'statestore-backend-twice', ['twice']);
    mkdirSync(path.join(b, 'node_modules'), { recursive: true });
    symlinkSync(dir, path.join(b, 'node_modules', 'statestore-backend-twice'));
    const registry = new PluginRegistry(() => [path.join(a, 'node_modules'), path.join(b, 'node_modules')]);
    expect(registry.list()).toHaveLength(1);
    expect(registry.find('twice')?.name).toBe('statestore-backend-twice');
  });

  it('two different packages claiming one scheme is an error naming both', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'plugins-'));
    fakePackage(root, 'statestore-backend-one', ['dup']);
    fakePackage(root, 'statestore-backend-two', ['dup']);
    const registry = new PluginRegistry(() => [path.join(root, 'node_modules')]);
    const e = await resolvePath('dup://x/y', { registry }).catch((x) => x);
    expect(isConflict(e)).toBe(true);
    expect(e.message).toContain('statestore-backend-one');
    expect(e.message).toContain('statestore-backend-two');
  });

  it('imports a plugin only on first use of its scheme, then opens URLs through it', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'plugins-'));
    fakePackage(root, 'statestore-backend-lazy', ['lazy']);
    const g = globalThis as { __fakeBackend?: MemfsBackend; __opened?: number };
    g.__fakeBackend = new MemfsBackend();
    g.__opened = 0;
    const registry = new PluginRegistry(() => [path.join(root, 'node_modules')]);
    registry.list();
    expect(g.__opened).toBe(0);
    const p = await resolvePath('lazy://bucket/a/b', { registry });
    expect(g.__opened).toBe(1);
    await p.writeFile('hi');
    expect(await p.readText()).toBe('hi');
    expect(p.key).toBe('a/b');
  });

  it('a missing scheme names the npm package to install', async () => {
    const registry = new PluginRegistry(() => []);
    for (const [scheme, pkg] of [
      ['gs', '@statestore/backend-gcs'],
      ['s3', '@statestore/backend-s3'],
      ['do', '@statestore/backend-s3'],
      ['swift', '@statestore/backend-swift'],
      ['oss', '@statestore/backend-oss'],
      ['vault', '@statestore/backend-vault'],
      ['k8s', '@statestore/backend-k8s'],
    ]) {
      const e = await resolvePath(`${scheme}://bucket/x`, { registry }).catch((x) => x);
      expect(isBackendNotInstalled(e)).toBe(true);
      expect(e.message).toContain(`npm install ${pkg}`);
    }
  });

  it('an unknown scheme gets a did-you-mean and our own packages, never a guessed package name anyone could register', async () => {
    const registry = new PluginRegistry(() => []);
    for (const [scheme, near] of [['gcs', 'gs'], ['s4', 's3'], ['k9s', 'k8s'], ['weird', undefined]] as const) {
      const e = await resolvePath(`${scheme}://b/x`, { registry }).catch((x) => x);
      expect(isBackendNotInstalled(e)).toBe(true);
      expect(e.message).not.toMatch(/statestore-backend-/);
      expect(e.message).not.toMatch(new RegExp(`npm install \\S*${scheme}`));
      if (near) expect(e.message).toContain(`Did you mean ${near}://?`);
      else expect(e.message).not.toContain('Did you mean');
      expect(e.message).toContain('@statestore/backend-gcs (gs://)');
      expect(e.message).toContain('statestore plugins');
    }
  });

  it('azureblob:// (a kops store we publish no backend for) points at the example plugin, never at an npm name', async () => {
    const e = await resolvePath('azureblob://account/container/x', { registry: new PluginRegistry(() => []) }).catch((x) => x);
    expect(isBackendNotInstalled(e)).toBe(true);
    expect(e.message).toContain('examples/statestore-backend-azureblob');
    expect(e.message).not.toContain('npm install');
  });

  it('KNOWN_SCHEME_PACKAGES names only packages this repository publishes', () => {
    const repo = path.resolve(import.meta.dirname, '../../..');
    const ours = new Set(
      readdirSync(path.join(repo, 'packages')).flatMap((d) => {
        const manifest = path.join(repo, 'packages', d, 'package.json');
        const pkg = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; private?: boolean }) : undefined;
        return pkg && !pkg.private ? [pkg.name] : [];
      }),
    );
    for (const pkg of Object.values(KNOWN_SCHEME_PACKAGES)) {
      expect(pkg).toMatch(/^@statestore\//);
      expect(ours.has(pkg), pkg).toBe(true);
    }
  });

  it('searches next to core and STATESTORE_PLUGIN_PATH by default; the working folder only with STATESTORE_WORKDIR_PLUGINS', () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'plugins-cwd-'));
    const inCwd = (roots: { dir: string; origin: string }[]) => roots.filter((r) => r.dir.startsWith(cwd));
    const plain = defaultSearchRoots({ cwd, env: { STATESTORE_PLUGIN_PATH: 'extra' } });
    expect(inCwd(plain)).toEqual([{ dir: path.join(cwd, 'extra'), origin: 'STATESTORE_PLUGIN_PATH' }]);
    expect(plain.some((r) => r.origin === 'installed' && path.join(import.meta.dirname, '..', '..', '..', 'node_modules') === r.dir)).toBe(true);
    const opted = defaultSearchRoots({ cwd, env: { STATESTORE_WORKDIR_PLUGINS: '1' } });
    expect(inCwd(opted)).toEqual([{ dir: path.join(cwd, 'node_modules'), origin: 'working folder' }]);
  });

  it('names a plugin from the working folder before its code is imported', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'plugins-'));
    fakePackage(root, 'statestore-backend-cwd', ['cwd'], 'globalThis.__importedCwd = true; export default { name: "statestore-backend-cwd", schemes: ["cwd"], async open(url) { return { backend: globalThis.__fakeBackend, key: url.path }; } };');
    const g = globalThis as { __fakeBackend?: MemfsBackend; __importedCwd?: boolean };
    g.__fakeBackend = new MemfsBackend();
    const notices: { message: string; imported: boolean }[] = [];
    const registry = new PluginRegistry(() => [{ dir: path.join(root, 'node_modules'), origin: 'working folder' }], {
      notice: (message) => notices.push({ message, imported: g.__importedCwd === true }),
    });
    await resolvePath('cwd://bucket/x', { registry });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ imported: false });
    expect(notices[0]!.message).toContain('statestore-backend-cwd@1.2.3 from the working folder');
    expect(g.__importedCwd).toBe(true);
  });
});
