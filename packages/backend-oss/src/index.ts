/**
 * @statestore/backend-oss: the oss:// plugin (Alibaba Cloud Object Storage Service, through ali-oss). `open`
 * is cheap and offline: it reads settings and returns a cached driver; ali-oss is imported, and the region and
 * credentials are looked up, on the first real request. One driver is kept per bucket, endpoint, credentials
 * and write settings.
 */
import { createHash } from 'node:crypto';
import { definePlugin, type Description, type ParsedUrl, type PluginContext } from '@statestore/core';
import { endpointOf } from './client.js';
import { ossSettings, type OssSettings } from './config.js';
import { OssBackend } from './oss-backend.js';

export { OssBackend, type OssBackendOptions } from './oss-backend.js';
export { ossSettings, flag, regionFrom, OBJECT_ACLS, DEFAULT_PART_SIZE, MIN_PART_SIZE, type OssSettings, type ObjectAcl, type CredentialSettings } from './config.js';
export { mapOssError } from './errors.js';
export { REFRESH_BEFORE_EXPIRY_MS } from './credentials.js';
export { SHA256_METADATA_KEY } from './object-info.js';

const backends = new Map<string, OssBackend>();

/** Identifies the settings a driver was built for; secrets enter only as a digest. */
function cacheKey(settings: OssSettings, env: NodeJS.ProcessEnv): string {
  const { key: _key, credentials, ...rest } = settings;
  const who =
    credentials.kind === 'static'
      ? [credentials.accessKeyId, createHash('sha256').update(`${credentials.accessKeySecret}\n${credentials.securityToken ?? ''}`).digest('hex')]
      : [credentials.roleName ?? '', String(credentials.imdsV1Disabled)];
  const http = ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy', 'NO_PROXY', 'no_proxy', 'NODE_EXTRA_CA_CERTS', 'STATESTORE_TIMEOUT'].map((n) => env[n] ?? '');
  return JSON.stringify([rest, credentials.kind, who, http]);
}

function backendFor(settings: OssSettings, context: PluginContext): OssBackend {
  const key = cacheKey(settings, context.env);
  let backend = backends.get(key);
  if (!backend) {
    backend = new OssBackend({ settings, env: context.env, warn: context.warn });
    backends.set(key, backend);
  }
  return backend;
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
