/**
 * @statestore/backend-gcs: the gs:// plugin. `open` is cheap and offline: it reads settings and returns a
 * cached driver; the Cloud Storage SDK is imported, and credentials are looked up, on the first real request.
 * One driver (and one SDK client) is kept per bucket, endpoint, credentials and default ACL.
 */
import type { Storage } from '@google-cloud/storage';
import { definePlugin, type Description, type ParsedUrl, type PluginContext } from '@statestore/core';
import { BackendCache } from '@statestore/core/driver-kit';
import { createStorage } from './client.js';
import { GCS_ENDPOINT, gcsSettings, type GcsSettings } from './config.js';
import { GcsBackend } from './gcs-backend.js';

export { GcsBackend, RESUMABLE_THRESHOLD, type GcsBackendOptions } from './gcs-backend.js';
export { createStorage, type ClientSettings } from './client.js';
export { gcsSettings, emulatorEndpointFrom, predefinedAclFrom, PREDEFINED_ACLS, type GcsSettings, type PredefinedAcl } from './config.js';
export { mapGcsError } from './errors.js';
export { SHA256_METADATA_KEY } from './object-info.js';

const backends = new BackendCache<GcsBackend>();
/** One SDK client per endpoint and credentials, shared by the buckets opened with them. */
const clients = new BackendCache<Promise<Storage>>();

function backendFor(settings: GcsSettings, context: PluginContext): GcsBackend {
  const service = [settings.emulatorEndpoint ?? GCS_ENDPOINT, settings.keyFilename ?? 'adc', settings.timeoutMs];
  return backends.get(
    [...service, settings.bucket, settings.predefinedAcl ?? ''],
    () =>
      new GcsBackend({
        bucket: settings.bucket,
        serviceId: `gcs:${JSON.stringify(service)}`,
        storage: () => clients.get(service, () => createStorage(settings)),
        ...(settings.predefinedAcl ? { predefinedAcl: settings.predefinedAcl } : {}),
        warn: context.warn,
        // An emulator may accept a precondition and ignore it: probed before the first conditional request.
        ...(settings.emulatorEndpoint ? { probePreconditions: true } : {}),
      }),
  );
}

function describeCredentials(settings: GcsSettings): string {
  if (settings.emulatorEndpoint) return 'none (emulator from STORAGE_EMULATOR_HOST)';
  if (settings.keyFilename) return `GOOGLE_APPLICATION_CREDENTIALS (${settings.keyFilename})`;
  return "Application Default Credentials (gcloud's ADC file, else the metadata server)";
}

export default definePlugin({
  name: '@statestore/backend-gcs',
  schemes: ['gs'],
  async open(url: ParsedUrl, context: PluginContext) {
    const settings = gcsSettings(url, context.env, context.options);
    return { backend: backendFor(settings, context), key: settings.key };
  },
  async describe(url: ParsedUrl, context: PluginContext): Promise<Description> {
    const settings = gcsSettings(url, context.env, context.options);
    return {
      bucket: settings.bucket,
      endpoint: settings.emulatorEndpoint ?? GCS_ENDPOINT,
      credentials: describeCredentials(settings),
      predefinedAcl: settings.predefinedAcl ?? 'none (bucket default)',
      timeoutSeconds: settings.timeoutMs / 1000,
    };
  },
});
