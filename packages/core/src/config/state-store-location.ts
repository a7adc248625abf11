/**
 * Where the state store is, with kops's priority (cmd/kops/root.go): `--state`, then `$KOPS_STATE_STORE`,
 * then `kops_state_store:` in the first of `$HOME/.kops.yaml` and `$HOME/.kops/config` that exists
 * (or the file `--config` names, which must exist). One trailing `/` is trimmed (not from a bare `s3://`).
 * vault:// is refused. A config file that cannot be parsed is an error naming it, not "no state store".
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { InvalidConfigError } from '../errors/errors.js';
import { assertStateStoreNotVault } from './vault-guards.js';

export type StateStoreSource = '--state' | 'KOPS_STATE_STORE' | 'config file';

export interface StateStoreLocation {
  /** The store URL or local path, one trailing `/` trimmed. */
  url: string;
  source: StateStoreSource;
  /** The config file it came from, when it did. */
  file?: string;
}

export interface LocateStateStoreOptions {
  /** The `--state` value when the flag was given (an explicit empty value counts as given). */
  flag?: string;
  /** `--config`: a config file to read instead of the two default ones (it must exist). */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Home folder (default: $HOME, else the OS's). */
  home?: string;
}

/** The config files kops reads, in order; the first that exists is the only one read. */
export function kopsConfigFiles(home: string): string[] {
  return [path.join(home, '.kops.yaml'), path.join(home, '.kops', 'config')];
}

export const STATE_STORE_HELP =
  'Set the state store with --state URL, the KOPS_STATE_STORE environment variable, `kops_state_store: URL` in $HOME/.kops.yaml, or `kops_state_store: URL` in $HOME/.kops/config (checked in that order), e.g. s3://my-bucket/kops or file:///srv/kops-state.';

/** Where the state store is; InvalidConfigError when nothing names one (or a config file cannot be read). */
export function locateStateStore(options: LocateStateStoreOptions = {}): StateStoreLocation {
  const found = findStateStore(options);
  if (!found) throw new InvalidConfigError(`No state store given. ${STATE_STORE_HELP}`);
  return found;
}

/**
 * Where the state store is, or undefined when nothing names one (an empty `--state` included). A config
 * file that cannot be read or parsed, a `kops_state_store` that is not a string, and a `--config` file
 * that does not exist are InvalidConfigErrors naming the file, never "no state store".
 */
export function findStateStore(options: LocateStateStoreOptions = {}): StateStoreLocation | undefined {
  const found = pick(options, options.env ?? process.env);
  if (!found || found.url === '') return undefined;
  // A bare `s3://` or `file:///` keeps its slashes: trimming would turn an empty bucket into the local path `s3:/`.
  const url = found.url.endsWith('/') && !/^[A-Za-z][A-Za-z0-9+.-]*:\/*$/.test(found.url) ? found.url.slice(0, -1) : found.url;
  assertStateStoreNotVault(url);
  return { ...found, url };
}

function pick(options: LocateStateStoreOptions, env: NodeJS.ProcessEnv): StateStoreLocation | undefined {
  if (options.flag !== undefined) return { url: options.flag, source: '--state' };
  if (env.KOPS_STATE_STORE) return { url: env.KOPS_STATE_STORE, source: 'KOPS_STATE_STORE' };
  if (options.configFile !== undefined && !existsSync(options.configFile)) {
    throw new InvalidConfigError(`--config ${options.configFile}: no such file. Give the path of a kops config file holding kops_state_store: URL, or leave --config out to read $HOME/.kops.yaml.`);
  }
  const home = options.home ?? (env.HOME || homedir());
  const file = (options.configFile !== undefined ? [options.configFile] : kopsConfigFiles(home)).find((f) => existsSync(f));
  if (!file) return undefined;
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InvalidConfigError(`Cannot read the state store from ${file} (fix the file, or give the store with --state or $KOPS_STATE_STORE): ${(e as Error).message.trim()}`, { cause: e });
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const entry = Object.entries(parsed as Record<string, unknown>).find(([k]) => k.toLowerCase() === 'kops_state_store');
  if (!entry || entry[1] === null || entry[1] === undefined) return undefined;
  if (typeof entry[1] !== 'string') {
    throw new InvalidConfigError(`${file}: kops_state_store must be a URL such as s3://my-bucket/kops, not ${JSON.stringify(entry[1])}.`);
  }
  return { url: entry[1], source: 'config file', file };
}
