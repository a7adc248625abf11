/**
 * config: the vault:// URL grammar (as kops had it) and the settings read from the environment. Nothing here
 * talks to the network.
 *
 * `vault://HOST[:PORT]/MOUNT/PATH[?tls=false]` — TLS is the default; only an exact `?tls=false` at the very end
 * selects plain HTTP. MOUNT is the first path segment (a KV version 2 secrets engine); PATH is the key.
 */
import { InvalidConfigError, InvalidUrlError, decodePercent, safeForMessage, type ParsedUrl } from '@statestore/core';
import { booleanVariable } from '@statestore/core/driver-kit';

/** The kops feature flag that unlocks vault:// (kops's `VFSVaultSupport`, off by default). */
export const FEATURE_FLAG = 'VFSVaultSupport';

const TLS_OFF = '?tls=false';

/** Where a vault:// URL points. */
export interface VaultLocation {
  /** `host` or `host:port`, as written in the URL. */
  hostPort: string;
  /** HTTPS (the default) or plain HTTP (`?tls=false`). */
  tls: boolean;
  /** The KV version 2 mount (the first path segment). */
  mount: string;
  /** The key below the mount; `''` for the mount itself. */
  key: string;
}

/** Parses a vault:// URL. InvalidUrlError when the mount is missing or the query is not exactly `?tls=false`. */
export function parseVaultUrl(url: ParsedUrl): VaultLocation {
  const shown = safeForMessage(url.input);
  let raw = url.rawPath;
  const tls = !raw.endsWith(TLS_OFF);
  if (!tls) raw = raw.slice(0, -TLS_OFF.length);
  if (/\?tls=[^/]*$/i.test(raw)) {
    throw new InvalidUrlError(
      `Invalid URL ${shown}: the only query vault:// understands is "?tls=false" at the very end (TLS is the default). To put "?" in a key, write it as %3F.`,
      { url: shown },
    );
  }
  const path = decodePercent(raw, url.input).replace(/^\/+/, '');
  const slash = path.indexOf('/');
  const mount = slash === -1 ? path : path.slice(0, slash);
  const key = slash === -1 ? '' : path.slice(slash + 1);
  if (mount === '') {
    throw new InvalidUrlError(`Invalid URL ${shown}: no KV mount; expected vault://HOST:PORT/MOUNT/PATH (for example vault://vault.example.com:8200/secret/clusters/my-cluster)`, {
      url: shown,
    });
  }
  return { hostPort: url.host, tls, mount, key };
}

/** The base URL of the Vault API server, e.g. `https://vault.example.com:8200`. */
export function vaultAddress(location: Pick<VaultLocation, 'hostPort' | 'tls'>): string {
  return `${location.tls ? 'https' : 'http'}://${location.hostPort}`;
}

/**
 * The canonical URL of a key, `vault://HOST:PORT/MOUNT/KEY` plus `?tls=false` for plain HTTP. `%` prints as
 * `%25` and `?` as `%3F`, so that parsing the result gives the same mount and key back.
 */
export function formatVaultUrl(location: Pick<VaultLocation, 'hostPort' | 'tls' | 'mount'>, key: string): string {
  const escape = (s: string) => s.replace(/%/g, '%25').replace(/\?/g, '%3F');
  return `vault://${location.hostPort}/${escape(location.mount)}/${escape(key)}${location.tls ? '' : TLS_OFF}`;
}

/**
 * Whether a kops feature flag is on, parsed as kops parses KOPS_FEATURE_FLAGS: a comma list where `Name` and
 * `+Name` enable and `-Name` disables, the last mention winning. STATESTORE_FEATURE_FLAGS is read after
 * KOPS_FEATURE_FLAGS, so it can override it.
 */
export function featureFlagEnabled(env: NodeJS.ProcessEnv, flag: string): boolean {
  let enabled = false;
  for (const list of [env.KOPS_FEATURE_FLAGS, env.STATESTORE_FEATURE_FLAGS]) {
    for (const item of (list ?? '').split(',')) {
      const s = item.trim();
      if (s === flag || s === `+${flag}`) enabled = true;
      else if (s === `-${flag}`) enabled = false;
    }
  }
  return enabled;
}

/** Throws a clear InvalidConfigError unless the VFSVaultSupport feature flag is on. */
export function requireVaultFeatureFlag(env: NodeJS.ProcessEnv, url: string): void {
  if (featureFlagEnabled(env, FEATURE_FLAG)) return;
  throw new InvalidConfigError(
    `vault:// is an experimental store (as in kops) and is switched off. Enable it with KOPS_FEATURE_FLAGS=+${FEATURE_FLAG} ` +
      `(or STATESTORE_FEATURE_FLAGS=+${FEATURE_FLAG}); it may hold cluster secrets and keys, never the state store itself.`,
    { url },
  );
}

/** How the plugin gets a Vault token. */
export type AuthSettings =
  | { method: 'token'; token: string }
  | {
      method: 'aws-iam';
      /** Vault role to log in as; `''` lets Vault use the IAM principal's name (kops sent it empty). */
      role: string;
      /** Mount of the AWS auth method (kops: always `aws`). */
      mount: string;
      /** Value of the signed `X-Vault-AWS-IAM-Server-ID` header; undefined sends none. */
      serverId: string | undefined;
      /** Static credentials from the environment given to open, else the AWS SDK's default chain. */
      credentials: AwsCredentials | undefined;
    };

/** AWS credentials in the shape the AWS SDK uses. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Everything read from the environment for one Vault address. */
export interface VaultSettings {
  auth: AuthSettings;
  /** VAULT_NAMESPACE (Vault Enterprise / OpenBao namespaces). */
  namespace: string | undefined;
  /** VAULT_SKIP_VERIFY parsed as Vault parses it. */
  skipVerify: boolean;
}

/**
 * Settings from the environment:
 * - VAULT_TOKEN: the token (for people and CI). Without it, AWS IAM auth (for nodes), as kops did:
 *   VAULT_AWS_ROLE (default: Vault's default, the IAM principal's name), VAULT_AWS_AUTH_MOUNT (default `aws`),
 *   VAULT_AWS_IAM_SERVER_ID (default: the Vault host name, as kops sent; set it empty to send no header),
 *   and AWS credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN] or the AWS SDK's chain.
 * - VAULT_NAMESPACE, VAULT_SKIP_VERIFY; VAULT_CACERT is read with core's HTTP settings.
 */
export function readVaultSettings(env: NodeJS.ProcessEnv, location: Pick<VaultLocation, 'hostPort'>): VaultSettings {
  const namespace = env.VAULT_NAMESPACE?.trim() || undefined;
  const skipVerify = booleanVariable(env, 'VAULT_SKIP_VERIFY');
  const token = env.VAULT_TOKEN?.trim();
  if (token) return { auth: { method: 'token', token }, namespace, skipVerify };
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  const credentials =
    accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } : undefined;
  const serverId = env.VAULT_AWS_IAM_SERVER_ID ?? hostName(location.hostPort);
  return {
    auth: {
      method: 'aws-iam',
      role: env.VAULT_AWS_ROLE?.trim() ?? '',
      mount: (env.VAULT_AWS_AUTH_MOUNT?.trim() || 'aws').replace(/^\/+|\/+$/g, ''),
      serverId: serverId === '' ? undefined : serverId,
      credentials,
    },
    namespace,
    skipVerify,
  };
}

/** The host without its port (`[::1]:8200` → `::1`). */
export function hostName(hostPort: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostPort);
  if (bracketed) return bracketed[1]!;
  return hostPort.replace(/:\d+$/, '');
}
