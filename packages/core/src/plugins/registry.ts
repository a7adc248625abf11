/**
 * The plugin registry: which package serves which scheme, loaded on first use. Two different packages
 * claiming one scheme is an error naming both; a scheme nobody claims is BackendNotInstalledError with
 * the npm command that installs the right package of ours, or a did-you-mean (never a guessed package
 * name). A plugin found in the working folder (an opt-in) is named before its code is imported.
 */
import { pathToFileURL } from 'node:url';
import { BackendNotInstalledError, ConflictError, InvalidConfigError } from '../errors/errors.js';
import { defaultSearchRoots, discoverPlugins, type DiscoveredPlugin, type PluginSearchRoot } from './discover.js';
import { KNOWN_SCHEME_PACKAGES, SCHEMES_WITHOUT_PACKAGE, closestKnownScheme } from './known-schemes.js';
import type { StatestorePlugin } from './plugin.js';

export { BUILT_IN_SCHEMES, KNOWN_SCHEME_PACKAGES } from './known-schemes.js';

/** One row of `statestore plugins`. */
export interface PluginListing {
  name: string;
  version: string;
  schemes: string[];
  builtIn: boolean;
  dir?: string;
}

export interface PluginRegistryOptions {
  /** Where notices go: the name of each working-folder plugin before it loads (default: stderr). */
  notice?: (message: string) => void;
}

export class PluginRegistry {
  private discovered: DiscoveredPlugin[] | undefined;
  private readonly registered = new Map<string, StatestorePlugin>();
  private readonly loading = new Map<string, Promise<StatestorePlugin>>();
  private readonly notice: (message: string) => void;

  /** `roots`: the folders to search (default `defaultSearchRoots()`); a bare string counts as an installed root. */
  constructor(
    private readonly roots: () => readonly (string | PluginSearchRoot)[] = () => defaultSearchRoots(),
    options: PluginRegistryOptions = {},
  ) {
    this.notice = options.notice ?? ((message) => process.stderr.write(`statestore: ${message}\n`));
  }

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
      if (found.origin === 'working folder') {
        this.notice(`loading ${found.name}@${found.version} from the working folder (${found.dir}) because STATESTORE_WORKDIR_PLUGINS is set`);
      }
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

/** The error for a scheme no installed plugin serves: the package of ours to install, or what to do instead. */
export function notInstalled(scheme: string): BackendNotInstalledError {
  const pkg = KNOWN_SCHEME_PACKAGES[scheme];
  if (pkg) {
    return new BackendNotInstalledError(`No backend for ${scheme}:// is installed. Install it next to the CLI: npm install ${pkg}`);
  }
  const without = SCHEMES_WITHOUT_PACKAGE[scheme];
  if (without) return new BackendNotInstalledError(`No backend for ${scheme}:// is installed. ${without}`);
  const near = closestKnownScheme(scheme);
  const ours = [...new Set(Object.values(KNOWN_SCHEME_PACKAGES))].map((p) => `${p} (${Object.keys(KNOWN_SCHEME_PACKAGES).filter((s) => KNOWN_SCHEME_PACKAGES[s] === p).map((s) => `${s}://`).join(', ')})`);
  return new BackendNotInstalledError(
    `No backend for ${scheme}:// is installed.${near ? ` Did you mean ${near}://?` : ''} Statestore's own backends are ${ours.join(', ')}; file:// and memfs:// are built in. ` +
      "`statestore plugins` lists what is installed; a plugin from elsewhere is found next to the CLI or in $STATESTORE_PLUGIN_PATH.",
  );
}

let defaultRegistry: PluginRegistry | undefined;
export function getDefaultRegistry(): PluginRegistry {
  return (defaultRegistry ??= new PluginRegistry());
}
