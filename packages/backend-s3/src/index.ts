/**
 * @statestore/backend-s3: `s3://` (AWS S3, or any endpoint named by S3_ENDPOINT) and the S3-compatible
 * flavours `do://`, `linode://`, `hos://` and `scw://`. Opening is cheap and offline: the AWS SDK is
 * imported, and the bucket's region found, on the first real request.
 *
 * ```ts
 * import { PluginRegistry, resolvePath } from '@statestore/core';
 * import s3 from '@statestore/backend-s3';
 * const registry = new PluginRegistry();
 * registry.register(s3);
 * const config = await (await resolvePath('s3://my-state-store/my-cluster/config', { registry })).readText();
 * ```
 */
import { definePlugin, type OpenedStore, type ParsedUrl, type PluginContext } from '@statestore/core';
import { S3_SCHEMES, readConfig, type S3Config } from './config.js';
import { describeS3 } from './describe.js';
import { S3Backend } from './s3-backend.js';
import { stateFor } from './store-state.js';

export { S3Backend, type S3BackendOptions } from './s3-backend.js';
export { readConfig, S3_SCHEMES, type S3Config, type S3Scheme, type S3Credentials, type S3PluginOptions } from './config.js';
export { mapS3Error, type ErrorContext } from './errors.js';
export { normalizeLocation, type RegionInfo } from './region.js';
export { crossAccountAdvice } from './describe.js';
export { SHA256_METADATA, md5FromEtag } from './object-info.js';
export { PROBE_PREFIX, type ProbeResult } from './precondition-probe.js';

function openBackend(url: ParsedUrl, context: PluginContext): { backend: S3Backend; config: S3Config } {
  const config = readConfig(url, context.env, context.options);
  return { backend: new S3Backend({ config, state: stateFor(config), warn: (message) => context.warn(message) }), config };
}

/** The plugin object core loads for the s3, do, linode, hos and scw schemes. */
const plugin = definePlugin({
  name: '@statestore/backend-s3',
  schemes: S3_SCHEMES,
  async open(url: ParsedUrl, context: PluginContext): Promise<OpenedStore> {
    return { backend: openBackend(url, context).backend, key: url.path };
  },
  async describe(url: ParsedUrl, context: PluginContext) {
    const { backend, config } = openBackend(url, context);
    return describeS3(config, backend, stateFor(config));
  },
});

export default plugin;
