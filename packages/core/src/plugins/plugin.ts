/**
 * plugins/ owns the plugin interface (what a backend package exports), discovery from package.json
 * files, and loading on first use of a scheme.
 */
import type { Backend } from '../backend/backend.js';
import type { ParsedUrl } from '../url/parse-url.js';

/** What `open` receives besides the URL. */
export interface PluginContext {
  /** The environment to read settings from (defaults to process.env; tests pass their own). */
  env: NodeJS.ProcessEnv;
  /** Extra, plugin-specific options given to resolvePath. */
  options: Readonly<Record<string, unknown>>;
  /** Where the plugin may write one-time notices (e.g. "this service ignores preconditions"). */
  warn(message: string): void;
}

/** A backend opened for one URL: the driver, plus the key of the URL inside it. */
export interface OpenedStore {
  backend: Backend;
  /** The key the URL points at, relative to the backend root (may be empty). Validated by core. */
  key: string;
}

/** Settings and facts a plugin reports for `statestore plugins` and `statestore doctor`. Never secrets. */
export type Description = Record<string, string | number | boolean | string[] | undefined>;

/** The default export (or `plugin` named export) of a backend package. */
export interface StatestorePlugin {
  /** npm package name, e.g. `@statestore/backend-s3`. */
  name: string;
  /** URL schemes, lowercase, without `://`. Must equal the package.json `statestore.schemes` field. */
  schemes: readonly string[];
  open(url: ParsedUrl, context: PluginContext): Promise<OpenedStore>;
  /** Extra facts for `statestore doctor URL` (region, endpoint, …). Never secrets. */
  describe?(url: ParsedUrl, context: PluginContext): Promise<Description>;
}

/** Helps authors type their plugin object: `export default definePlugin({...})`. */
export function definePlugin(plugin: StatestorePlugin): StatestorePlugin {
  return plugin;
}
