/**
 * The plugin registry: which package serves which scheme, loaded on first use. Two different packages
 * claiming one scheme is an error naming both; a scheme nobody claims is BackendNotInstalledError with
 * the npm command that installs the right package.
 */
import { pathToFileURL } from 'node:url';
import { BackendNotInstalledError, ConflictError, InvalidConfigError } from '../errors/errors.js';
import { defaultSearchRoots, discoverPlugins, type DiscoveredPlugin } from './discover.js';
import type { StatestorePlugin } from './plugin.js';

/** The package that serves each scheme we know of, for the "install it" message. */
export const KNOWN_SCHEME_PACKAGES: Readonly<Record<string, string>> = {
  s3: '@statestore/backend-s3',
  do: '@statestore/backend-s3',
  linode: '@statestore/backend-s3',
  hos: '@statestore/backend-s3',
  scw: '@statestore/backend-s3',
  gs: '@statestore/backend-gcs',
  swift: '@statestore/backend-swift',
  oss: '@statestore/backend-oss',
  vault: '@statestore/backend-vault',
  k8s: '@statestore/backend-k8s',
  azureblob: 'statestore-backend-azureblob',
};

export const BUILT_IN_SCHEMES = ['file', 'memfs'] as const;

/** One row of `statestore plugins`. */
export interface PluginListing {
  name: string;
  version: string;
  schemes: string[];
  builtIn: boolean;
  dir?: string;
}

export class PluginRegistry {
  private discovered: DiscoveredPlugin[] | undefined;
  private readonly registered = new Map<string, StatestorePlugin>();
  private readonly loading = new Map<string, Promise<StatestorePlugin>>();

  constructor(private readonly roots: () => string[] = () => defaultSearchRoots()) {}

  /** Registers a plugin object in-process (tests, programs that bundle a backend). */
  register(plugin: StatestorePlugin): void {
    for (const scheme of plugin.schemes) {
      const other = this.registered.get(scheme);
      if (other && other !== plugin) {
        throw new ConflictError(`Scheme ${scheme}:// is claimed by both ${other.name} and ${plugin.name}; register only one of them`);
      }
      this.registered.set(scheme, plugin);
    }
  }

  /** Installed plugin packages, from package.json files only. */
  list(): DiscoveredPlugin[] {
    return (this.discovered ??= discoverPlugins(this.roots()));
  }

  /** Which discovered package claims the scheme; ConflictError if two different packages do. */
  find(scheme: string): DiscoveredPlugin | undefined {
    const claims = this.list().filter((p) => p.schemes.includes(scheme));
    if (claims.length > 1) {
      throw new ConflictError(
        `Scheme ${scheme}:// is claimed by two installed packages: ${claims.map((c) => `${c.name}@${c.version} (${c.dir})`).join(' and ')}. Uninstall one of them.`,
      );
    }
    return claims[0];
  }

  /** The plugin for a scheme, importing its package on first use. */
  async load(scheme: string): Promise<StatestorePlugin> {
    const registered = this.registered.get(scheme);
    if (registered) return registered;
    const found = this.find(scheme);
    if (!found) throw notInstalled(scheme);
    let promise = this.loading.get(found.dir);
    if (!promise) {
      promise = importPlugin(found);
      this.loading.set(found.dir, promise);
      promise.catch(() => this.loading.delete(found.dir));
    }
    return promise;
  }
}

async function importPlugin(found: DiscoveredPlugin): Promise<StatestorePlugin> {
  let mod: { default?: StatestorePlugin; plugin?: StatestorePlugin };
  try {
    mod = (await import(pathToFileURL(found.entry).href)) as typeof mod;
  } catch (e) {
    throw new BackendNotInstalledError(
      `${found.name}@${found.version} is installed at ${found.dir} but cannot be loaded (${(e as Error).message.split('\n')[0]}). Reinstall it: npm install ${found.name}`,
      { cause: e },
    );
  }
  const plugin = mod.default ?? mod.plugin;
  if (!plugin || typeof plugin.open !== 'function' || !Array.isArray(plugin.schemes)) {
    throw new InvalidConfigError(`${found.name} (${found.entry}) is not a Statestore plugin: its entry must export a StatestorePlugin as default or as \`plugin\``);
  }
  const missing = found.schemes.filter((s) => !plugin.schemes.includes(s));
  if (missing.length > 0) {
    throw new InvalidConfigError(`${found.name}: package.json claims ${missing.join(', ')} but the plugin object does not; make "statestore.schemes" and the plugin's schemes agree`);
  }
  return plugin;
}

export function notInstalled(scheme: string): BackendNotInstalledError {
  const pkg = KNOWN_SCHEME_PACKAGES[scheme];
  if (pkg) {
    return new BackendNotInstalledError(`No backend for ${scheme}:// is installed. Install it next to the CLI: npm install ${pkg}`);
  }
  return new BackendNotInstalledError(
    `No backend for ${scheme}:// is installed, and Statestore ships none. A third-party plugin for it would be named statestore-backend-${scheme}: npm install statestore-backend-${scheme}`,
  );
}

let defaultRegistry: PluginRegistry | undefined;
export function getDefaultRegistry(): PluginRegistry {
  return (defaultRegistry ??= new PluginRegistry());
}
