/**
 * Discovery of installed backend plugins by reading package.json files only (nothing is imported):
 * `@statestore/backend-*`, `statestore-backend-*` and `@scope/statestore-backend-*` packages in the
 * node_modules folders next to core (so next to the CLI, or in the program that uses core) and next to any
 * other installation a caller names (the CLI names its own), and in folders named by STATESTORE_PLUGIN_PATH
 * (`:`-separated). The working folder and its parents are searched only when STATESTORE_WORKDIR_PLUGINS is
 * set: running the CLI inside an untrusted checkout must not run that checkout's code. Every plugin records
 * where it was found. A package reached twice counts once (the first route wins).
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a plugin was found: next to core or the CLI, in STATESTORE_PLUGIN_PATH, or in the working folder (opt-in). */
export type PluginOrigin = 'installed' | 'STATESTORE_PLUGIN_PATH' | 'working folder';

/** A folder to search, and what finding a plugin there means. A bare string is an `installed` root. */
export interface PluginSearchRoot {
  dir: string;
  origin: PluginOrigin;
}

export interface DiscoveredPlugin {
  name: string;
  version: string;
  schemes: string[];
  /** Real path of the package folder. */
  dir: string;
  /** Absolute path of the ESM entry to import. */
  entry: string;
  /** How it was found; a plugin from the working folder is named on stderr before it is imported. */
  origin: PluginOrigin;
  builtIn: false;
}

export interface SearchRootOptions {
  /** The working folder (default process.cwd()): the base of relative STATESTORE_PLUGIN_PATH entries. */
  cwd?: string;
  /** Environment with STATESTORE_PLUGIN_PATH and STATESTORE_WORKDIR_PLUGINS (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Other installations whose node_modules count as installed (the CLI passes its own folder). */
  nextTo?: readonly string[];
}

/** True when STATESTORE_WORKDIR_PLUGINS asks for plugins from the working folder (`1`, `true`, `yes`). */
export function workdirPluginsAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['1', 'true', 'yes'].includes((env.STATESTORE_WORKDIR_PLUGINS ?? '').trim().toLowerCase());
}

export function isPluginPackageName(name: string): boolean {
  return /^@statestore\/backend-[a-z0-9-]+$/.test(name) || /^(@[a-z0-9-._~]+\/)?statestore-backend-[a-z0-9-._~]+$/.test(name);
}

/**
 * The folders searched by default: node_modules next to core and next to `nextTo`, then
 * STATESTORE_PLUGIN_PATH, then (only with STATESTORE_WORKDIR_PLUGINS) the working folder and its parents.
 */
export function defaultSearchRoots(options: SearchRootOptions = {}): PluginSearchRoot[] {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const roots: PluginSearchRoot[] = [];
  for (const start of [here, ...(options.nextTo ?? [])]) for (const dir of nodeModulesAbove(start)) roots.push({ dir, origin: 'installed' });
  for (const p of (env.STATESTORE_PLUGIN_PATH ?? '').split(path.delimiter)) if (p) roots.push({ dir: path.resolve(cwd, p), origin: 'STATESTORE_PLUGIN_PATH' });
  if (workdirPluginsAllowed(env)) for (const dir of nodeModulesAbove(cwd)) roots.push({ dir, origin: 'working folder' });
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
export function discoverPlugins(roots: readonly (string | PluginSearchRoot)[]): DiscoveredPlugin[] {
  const found = new Map<string, DiscoveredPlugin>();
  const seenNames = new Set<string>();
  const consider = (dir: string, origin: PluginOrigin) => {
    const plugin = readPluginPackage(dir, origin);
    if (!plugin || found.has(plugin.dir) || seenNames.has(plugin.name)) return;
    found.set(plugin.dir, plugin);
    seenNames.add(plugin.name);
  };
  for (const given of roots) {
    const { dir: root, origin } = typeof given === 'string' ? { dir: given, origin: 'installed' as const } : given;
    if (!existsSync(root)) continue;
    if (existsSync(path.join(root, 'package.json'))) consider(root, origin);
    for (const entry of safeReaddir(root)) {
      if (entry.startsWith('@')) {
        for (const inner of safeReaddir(path.join(root, entry))) {
          if (isPluginPackageName(`${entry}/${inner}`)) consider(path.join(root, entry, inner), origin);
        }
      } else if (isPluginPackageName(entry)) {
        consider(path.join(root, entry), origin);
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

function readPluginPackage(dir: string, origin: PluginOrigin): DiscoveredPlugin | undefined {
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
    origin,
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
