/**
 * @statestore/backend-vault: `vault://HOST:PORT/MOUNT/PATH[?tls=false]`, kops's experimental store for
 * cluster secrets and keys in a HashiCorp Vault or OpenBao KV version 2 mount. Only with the VFSVaultSupport
 * feature flag, as in kops. Opening a URL is cheap: node-vault and the AWS libraries load on the first request.
 *
 * ```ts
 * import { PluginRegistry, resolvePath } from '@statestore/core';
 * import vault from '@statestore/backend-vault';
 * const registry = new PluginRegistry();
 * registry.register(vault);
 * const env = { ...process.env, KOPS_FEATURE_FLAGS: '+VFSVaultSupport' };
 * const secrets = await resolvePath('vault://vault.example.com:8200/secret/clusters/a', { registry, env });
 * ```
 */
import { definePlugin, safeForMessage, type Description, type ParsedUrl, type PluginContext } from '@statestore/core';
import { BackendCache, httpSettingsFor } from '@statestore/core/driver-kit';
import { FEATURE_FLAG, featureFlagEnabled, formatVaultUrl, parseVaultUrl, readVaultSettings, requireVaultFeatureFlag, vaultAddress, type VaultSettings } from './config.js';
import { VaultConnection } from './connection.js';
import { VaultBackend } from './vault-backend.js';

export { FEATURE_FLAG, featureFlagEnabled, formatVaultUrl, parseVaultUrl, type VaultLocation } from './config.js';

/** One connection per Vault address, namespace, token source and TLS/proxy settings; one backend per mount on it. */
const connections = new BackendCache<VaultConnection>();
const backends = new BackendCache<VaultBackend>();

function backendFor(url: ParsedUrl, context: PluginContext): { backend: VaultBackend; key: string } {
  const location = parseVaultUrl(url);
  const address = vaultAddress(location);
  const settings = readVaultSettings(context.env, location);
  const identity = [address, settings, httpSettingsFor(address, { env: context.env, caBundleVariable: 'VAULT_CACERT', insecure: settings.skipVerify })];
  const connection = connections.get(identity, () => new VaultConnection({ address, settings, env: context.env, warn: (m) => context.warn(m) }));
  return { backend: backends.get([...identity, location.mount], () => new VaultBackend(connection, location)), key: location.key };
}

/** The vault:// plugin. */
export const plugin = definePlugin({
  name: '@statestore/backend-vault',
  schemes: ['vault'],
  async open(url, context) {
    requireVaultFeatureFlag(context.env, safeForMessage(url.input));
    return backendFor(url, context);
  },
  async describe(url, context): Promise<Description> {
    const location = parseVaultUrl(url);
    const settings = readVaultSettings(context.env, location);
    const enabled = featureFlagEnabled(context.env, FEATURE_FLAG);
    const auth = settings.auth;
    return {
      url: formatVaultUrl(location, location.key),
      address: vaultAddress(location),
      mount: location.mount,
      layout: 'KV version 2: <mount>/data/<path>, bytes base64 under "file" (kops)',
      featureFlag: enabled ? `${FEATURE_FLAG} on` : `${FEATURE_FLAG} off: set KOPS_FEATURE_FLAGS=+${FEATURE_FLAG}`,
      auth:
        auth.method === 'token'
          ? 'token (VAULT_TOKEN)'
          : `aws-iam at auth/${auth.mount}/login (role ${auth.role || 'default'}${auth.serverId !== undefined ? `, server ID header ${auth.serverId}` : ''})`,
      namespace: settings.namespace,
      caCert: context.env.VAULT_CACERT,
      skipVerify: settings.skipVerify,
    };
  },
});

export default plugin;
