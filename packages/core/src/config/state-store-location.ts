/**
 * Where the state store is, with kops's priority (cmd/kops/root.go): `--state`, then `$KOPS_STATE_STORE`,
 * then `kops_state_store:` in the first of `$HOME/.kops.yaml` and `$HOME/.kops/config` that exists
 * (or the file `--config` names). One trailing `/` is trimmed (not from a bare `s3://`). vault:// is refused.
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
  /** Problems that did not stop the lookup (an unreadable config file), as kops only warns about them. */
  warnings: string[];
}

export interface LocateStateStoreOptions {
  /** The `--state` value when the flag was given (an explicit empty value counts as given). */
  flag?: string;
  /** `--config`: a config file to read instead of the two default ones. */
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

export function locateStateStore(options: LocateStateStoreOptions = {}): StateStoreLocation {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  const found = pick(options, env, warnings);
  if (!found || found.url === '') {
    throw new InvalidConfigError(`No state store given. ${STATE_STORE_HELP}`);
  }
  // A bare `s3://` or `file:///` keeps its slashes: trimming would turn an empty bucket into the local path `s3:/`.
  const url = found.url.endsWith('/') && !/^[A-Za-z][A-Za-z0-9+.-]*:\/*$/.test(found.url) ? found.url.slice(0, -1) : found.url;
  assertStateStoreNotVault(url);
  return { ...found, url, warnings };
}

function pick(options: LocateStateStoreOptions, env: NodeJS.ProcessEnv, warnings: string[]): Omit<StateStoreLocation, 'warnings'> | undefined {
  if (options.flag !== undefined) return { url: options.flag, source: '--state' };
  if (env.KOPS_STATE_STORE) return { url: env.KOPS_STATE_STORE, source: 'KOPS_STATE_STORE' };
  const home = options.home ?? (env.HOME || homedir());
  const candidates = options.configFile ? [options.configFile] : kopsConfigFiles(home);
  const file = candidates.find((f) => existsSync(f));
  if (!file) return undefined;
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    warnings.push(`error reading config ${file}: ${(e as Error).message}`);
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const entry = Object.entries(parsed as Record<string, unknown>).find(([k]) => k.toLowerCase() === 'kops_state_store');
  if (!entry || entry[1] === null || entry[1] === undefined) return undefined;
  return { url: String(entry[1]), source: 'config file', file };
}
