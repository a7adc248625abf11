/**
 * Discovery of installed backend plugins by reading package.json files only (nothing is imported):
 * `@statestore/backend-*`, `statestore-backend-*` and `@scope/statestore-backend-*` packages in the
 * node_modules folders next to core (so next to the CLI), in the working directory and its ancestors, and
 * in folders named by STATESTORE_PLUGIN_PATH (`:`-separated). A package reached twice counts once.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DiscoveredPlugin {
  name: string;
  version: string;
  schemes: string[];
  /** Real path of the package folder. */
  dir: string;
  /** Absolute path of the ESM entry to import. */
  entry: string;
  builtIn: false;
}

export function isPluginPackageName(name: string): boolean {
  return /^@statestore\/backend-[a-z0-9-]+$/.test(name) || /^(@[a-z0-9-._~]+\/)?statestore-backend-[a-z0-9-._~]+$/.test(name);
}

export function defaultSearchRoots(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string[] {
  const roots: string[] = [];
  const here = path.dirname(fileURLToPath(import.meta.url));
  roots.push(...nodeModulesAbove(here), ...nodeModulesAbove(cwd));
  for (const p of (env.STATESTORE_PLUGIN_PATH ?? '').split(path.delimiter)) if (p) roots.push(path.resolve(cwd, p));
  return roots;
}

function nodeModulesAbove(start: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(start);
  for (;;) {
    if (path.basename(dir) !== 'node_modules') out.push(path.join(dir, 'node_modules'));
    const up = path.dirname(dir);
    if (up === dir) return out;
    dir = up;
  }
}

/** Reads package.json files under the roots. A root may also be a plugin package folder itself. */
export function discoverPlugins(roots: readonly string[]): DiscoveredPlugin[] {
  const found = new Map<string, DiscoveredPlugin>();
  const seenNames = new Set<string>();
  const consider = (dir: string) => {
    const plugin = readPluginPackage(dir);
    if (!plugin || found.has(plugin.dir) || seenNames.has(plugin.name)) return;
    found.set(plugin.dir, plugin);
    seenNames.add(plugin.name);
  };
  for (const root of roots) {
    if (!existsSync(root)) continue;
    if (existsSync(path.join(root, 'package.json'))) consider(root);
    for (const entry of safeReaddir(root)) {
      if (entry.startsWith('@')) {
        for (const inner of safeReaddir(path.join(root, entry))) {
          if (isPluginPackageName(`${entry}/${inner}`)) consider(path.join(root, entry, inner));
        }
      } else if (isPluginPackageName(entry)) {
        consider(path.join(root, entry));
      }
    }
  }
  return [...found.values()];
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readPluginPackage(dir: string): DiscoveredPlugin | undefined {
  let real: string;
  let pkg: { name?: string; version?: string; statestore?: { schemes?: unknown }; exports?: unknown; main?: string };
  try {
    real = realpathSync(dir);
    pkg = JSON.parse(readFileSync(path.join(real, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const schemes = pkg.statestore?.schemes;
  if (!pkg.name || !Array.isArray(schemes) || !schemes.every((s) => typeof s === 'string')) return undefined;
  return {
    name: pkg.name,
    version: pkg.version ?? '0.0.0',
    schemes: schemes.map((s: string) => s.toLowerCase()),
    dir: real,
    entry: path.join(real, entryOf(pkg)),
    builtIn: false,
  };
}

function entryOf(pkg: { exports?: unknown; main?: string }): string {
  const root = typeof pkg.exports === 'object' && pkg.exports !== null && '.' in pkg.exports ? (pkg.exports as Record<string, unknown>)['.'] : pkg.exports;
  if (typeof root === 'string') return root;
  if (typeof root === 'object' && root !== null) {
    const r = root as Record<string, unknown>;
    for (const condition of ['import', 'node', 'default']) {
      const v = r[condition];
      if (typeof v === 'string') return v;
      if (typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).default === 'string') return (v as Record<string, string>).default!;
    }
  }
  return pkg.main ?? 'index.js';
}
