/**
 * statestore-backend-azureblob: the azureblob:// scheme for Statestore, written as a third-party plugin
 * against @statestore/core's public API only. `azureblob://<account>/<container>/<key>` as kops parses
 * it. Opening a URL is cheap and offline: the Azure SDK is imported on the first real operation, and one
 * backend is kept per (endpoint, credential, container).
 */
import { definePlugin, redactUrl, type Description, type ParsedUrl, type PluginContext } from '@statestore/core';
import { BackendCache } from '@statestore/core/driver-kit';
import { AzureBlobBackend } from './azureblob-backend.js';
import { parseAzureBlobUrl, readSettings } from './config.js';

export { AzureBlobBackend } from './azureblob-backend.js';
export { ENDPOINT_VARIABLE, parseAzureBlobUrl, readSettings, type AzureBlobLocation, type AzureBlobSettings, type TokenCredentialLike } from './config.js';

/**
 * One backend per store, so that every URL of a container shares its settled capabilities and client. The
 * identity is what tells stores apart here: the endpoint and a fingerprint of the credential (`settings.id`,
 * never the credential itself) and the container; the driver kit's cache keeps only a digest of it.
 */
const backends = new BackendCache<AzureBlobBackend>();

function open(url: ParsedUrl, context: PluginContext): { backend: AzureBlobBackend; key: string } {
  const { account, container, key } = parseAzureBlobUrl(url);
  const settings = readSettings(account, context.env, context.options);
  return { backend: backends.forStore(url, context, () => new AzureBlobBackend(settings, container), [settings.id, container]), key };
}

/** The plugin object Statestore loads for azureblob:// URLs. */
const plugin = definePlugin({
  name: 'statestore-backend-azureblob',
  schemes: ['azureblob'],
  async open(url, context) {
    return open(url, context);
  },
  async describe(url, context): Promise<Description> {
    const { account, container } = parseAzureBlobUrl(url);
    const settings = readSettings(account, context.env, context.options);
    return {
      account,
      container,
      endpoint: settings.endpoint,
      credentials: settings.credential.source,
      ...(settings.proxy ? { proxy: redactUrl(settings.proxy) } : {}),
    };
  },
});

export default plugin;
