/**
 * @statestore/backend-oss: the oss:// plugin (Alibaba Cloud Object Storage Service, through ali-oss). `open`
 * is cheap and offline: it reads settings and returns a cached driver; ali-oss is imported, and the region and
 * credentials are looked up, on the first real request. One driver is kept per bucket, endpoint, credentials
 * and write settings.
 */
import { definePlugin, type Description, type ParsedUrl, type PluginContext } from '@statestore/core';
import { BackendCache } from '@statestore/core/driver-kit';
import { endpointOf } from './client.js';
import { ossSettings, type OssSettings } from './config.js';
import { OssBackend } from './oss-backend.js';

export { OssBackend, type OssBackendOptions } from './oss-backend.js';
export { ossSettings, flag, regionFrom, OBJECT_ACLS, DEFAULT_PART_SIZE, MIN_PART_SIZE, type OssSettings, type ObjectAcl, type CredentialSettings } from './config.js';
export { mapOssError } from './errors.js';
export { REFRESH_BEFORE_EXPIRY_MS } from './credentials.js';
export { SHA256_METADATA_KEY } from './object-info.js';

const backends = new BackendCache<OssBackend>();

/** One driver per settings (bucket, endpoint, credentials, write settings) and HTTP environment. */
function backendFor(settings: OssSettings, context: PluginContext): OssBackend {
  const { key: _key, ...store } = settings;
  const http = ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy', 'NO_PROXY', 'no_proxy', 'NODE_EXTRA_CA_CERTS', 'STATESTORE_TIMEOUT'].map((n) => context.env[n] ?? '');
  return backends.get([store, http], () => new OssBackend({ settings, env: context.env, warn: context.warn }));
}

export default definePlugin({
  name: '@statestore/backend-oss',
  schemes: ['oss'],
  async open(url: ParsedUrl, context: PluginContext) {
    const settings = ossSettings(url, context.env, context.options);
    return { backend: backendFor(settings, context), key: settings.key };
  },
  /** Offline: what the settings say (the region may still be left to the ECS metadata service). */
  async describe(url: ParsedUrl, context: PluginContext): Promise<Description> {
    const settings = ossSettings(url, context.env, context.options);
    return {
      bucket: settings.bucket,
      region: settings.region ?? 'from the ECS metadata service',
      endpoint: settings.region || settings.endpoint ? endpointOf(settings, settings.region ?? '') : 'https://<region>.aliyuncs.com once the region is known',
      internalEndpoint: settings.internal,
      addressing: settings.pathStyle ? 'path-style (/bucket/key)' : 'virtual-host (bucket.endpoint)',
      credentials:
        settings.credentials.kind === 'static'
          ? settings.credentials.from
          : `the ECS instance RAM role${settings.credentials.roleName ? ` ${settings.credentials.roleName}` : ''} (STS credentials from ${settings.metadataEndpoint}, refreshed before they expire)`,
      objectAcl: settings.acl,
      signatureVersion: settings.signatureVersion,
      multipartPartBytes: settings.partSize,
    };
  },
});
