/**
 * @statestore/backend-swift: the swift:// plugin (OpenStack Swift, with Keystone v3 or v1 auth).
 * `swift://CONTAINER/PATH`. `open` is cheap and offline: it reads the OS_* settings (or the kops credentials
 * file) and returns a cached driver; undici is imported, and the token obtained, on the first request.
 * One client (token, connections) is kept per credentials, and one driver per container and segment size.
 */
import { definePlugin, InvalidUrlError, type Description, type ParsedUrl, type PluginContext } from '@statestore/core';
import { BackendCache, identityKey, integerOption } from '@statestore/core/driver-kit';
import { readSwiftConfig, type SwiftConfig } from './config.js';
import { DEFAULT_SEGMENT_SIZE, SwiftBackend } from './swift-backend.js';
import { SwiftClient } from './swift-client.js';

export { SwiftBackend, CAPABILITIES, DEFAULT_SEGMENT_SIZE, type SwiftBackendOptions } from './swift-backend.js';
export { readSwiftConfig, credentialFilePath, parseIni, type SwiftConfig, type EndpointInterface } from './config.js';
export { SwiftClient, type SwiftInfo } from './swift-client.js';
export { selectEndpoint, tokenRequestBody, tokensUrl, type CatalogEntry } from './keystone.js';

/** One client (token, connections) per credentials; one driver per credentials, container and segment size. */
const clients = new BackendCache<SwiftClient>();
const backends = new BackendCache<SwiftBackend>();

function containerOf(url: ParsedUrl): string {
  const container = url.host;
  if (container.length > 256) {
    throw new InvalidUrlError(`Invalid swift URL ${url.input}: a container name is at most 256 bytes`, { url: url.input });
  }
  return container;
}

function segmentSizeOf(options: Readonly<Record<string, unknown>>): number {
  return integerOption(options.segmentSize, 'swift:// option segmentSize', DEFAULT_SEGMENT_SIZE, { min: 1, unit: 'bytes' });
}

function clientFor(config: SwiftConfig, env: NodeJS.ProcessEnv): SwiftClient {
  return clients.get([config], () => new SwiftClient(config, env));
}

function backendFor(url: ParsedUrl, context: PluginContext): SwiftBackend {
  const config = readSwiftConfig(context.env);
  const container = containerOf(url);
  const segmentSize = segmentSizeOf(context.options);
  return backends.get([config, container, segmentSize], () => {
    const client = clientFor(config, context.env);
    return new SwiftBackend({ container, client, serviceId: `swift:${identityKey([config])}`, segmentSize, warn: context.warn });
  });
}

export default definePlugin({
  name: '@statestore/backend-swift',
  schemes: ['swift'],
  async open(url: ParsedUrl, context: PluginContext) {
    return { backend: backendFor(url, context), key: url.path };
  },
  async describe(url: ParsedUrl, context: PluginContext): Promise<Description> {
    const config = readSwiftConfig(context.env);
    const facts: Description = {
      container: containerOf(url),
      authUrl: config.authUrl,
      auth: config.authVersion === 1 ? 'v1 (tempauth/swauth)' : config.applicationCredentialId || config.applicationCredentialName ? 'Keystone v3, application credential' : 'Keystone v3, password',
      credentials: config.source,
      user: config.username ?? config.userId,
      project: config.projectName ?? config.projectId,
      region: config.region ?? '(any)',
      interface: config.interface,
      segmentSize: segmentSizeOf(context.options),
    };
    try {
      const client = clientFor(config, context.env);
      facts.storageUrl = await client.storageUrl();
      facts.swiftVersion = (await client.capabilities()).swift?.version;
    } catch (e) {
      facts.error = (e as Error).message;
    }
    return facts;
  },
});
