/**
 * The vault:// rules (the seeds'): Vault may hold a cluster's secretStore and keyStore only, never cluster
 * configuration — not as the state store, not as the place a cluster is migrated or exported to, not as
 * spec.configBase; a vault:// secretStore or keyStore must not be shared with another cluster of the same
 * store (nor nested in one, since deleting a cluster removes its stores) and must not equal the state
 * store's path. Checked on strings, so every path that writes cluster configuration refuses before any
 * plugin is loaded.
 */
import { InvalidConfigError } from '../errors/errors.js';
import type { ClusterSpec } from './kops-model.js';

function schemeOf(url: string): string | undefined {
  return /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
}

/** `host/path` without scheme, duplicate or trailing slashes. */
function locationOf(url: string): string {
  return url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '').replace(/\/+/g, '/').replace(/\/$/, '');
}

export function isVaultUrl(url: string | undefined): boolean {
  return url !== undefined && schemeOf(url) === 'vault';
}

/**
 * Refuses vault:// where cluster configuration would be written. `role` says what `url` was going to be:
 * `the state store`, `spec.configBase of cluster NAME`, `where migrate writes a cluster (--to)`.
 */
export function assertNotVaultConfigStore(url: string, role: string): void {
  if (isVaultUrl(url)) {
    throw new InvalidConfigError(
      `${url} cannot be ${role}: vault:// holds a cluster's secrets and keys only (spec.secretStore, spec.keyStore). Keep the state store and cluster configuration in s3://, gs://, swift://, oss:// or a local path, and point the cluster's secretStore/keyStore at Vault.`,
      { url },
    );
  }
}

/** Refuses vault:// as the place `migrate` or `export` writes a cluster to. */
export function assertNotVaultTarget(url: string, command: 'migrate' | 'export'): void {
  assertNotVaultConfigStore(url, `where ${command} writes a cluster (--to)`);
}

/** Refuses vault:// as the state store. */
export function assertStateStoreNotVault(stateStore: string): void {
  assertNotVaultConfigStore(stateStore, 'the state store');
}

export interface ClusterStores {
  name: string;
  spec: Pick<ClusterSpec, 'secretStore' | 'keyStore' | 'configBase'>;
}

/**
 * Checks the vault:// stores of `cluster` against the state store and the other clusters of the store.
 * `others` may include `cluster` itself (it is skipped by name).
 */
export function assertVaultStoresAllowed(stateStore: string, cluster: ClusterStores, others: readonly ClusterStores[]): void {
  const mine = vaultStores(cluster);
  if (mine.length === 0) return;
  const problems: string[] = [];
  const store = locationOf(stateStore);
  for (const { field, url } of mine) {
    if (locationOf(url) === store || url.replace(/\/+$/, '') === stateStore.replace(/\/+$/, '')) {
      problems.push(`spec.${field} ${url} equals the state store path ${stateStore}`);
    }
    for (const other of others) {
      if (other.name === cluster.name) continue;
      for (const theirs of vaultStores(other)) {
        const a = locationOf(url);
        const b = locationOf(theirs.url);
        if (a === b) problems.push(`spec.${field} ${url} is also cluster ${other.name}'s spec.${theirs.field}`);
        else if (a.startsWith(`${b}/`) || b.startsWith(`${a}/`)) problems.push(`spec.${field} ${url} overlaps cluster ${other.name}'s spec.${theirs.field} ${theirs.url}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new InvalidConfigError(
      `Cluster ${cluster.name}: a vault:// secretStore or keyStore must be unique among the clusters of ${stateStore} and must not be the state store itself:\n  ${problems.join('\n  ')}\nGive each cluster its own Vault path, e.g. vault://HOST/secret/kops/${cluster.name}/secrets.`,
      { url: stateStore },
    );
  }
}

function vaultStores(cluster: ClusterStores): { field: 'secretStore' | 'keyStore'; url: string }[] {
  const out: { field: 'secretStore' | 'keyStore'; url: string }[] = [];
  if (isVaultUrl(cluster.spec.secretStore)) out.push({ field: 'secretStore', url: cluster.spec.secretStore! });
  if (isVaultUrl(cluster.spec.keyStore)) out.push({ field: 'keyStore', url: cluster.spec.keyStore! });
  return out;
}
