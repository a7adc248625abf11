/**
 * @statestore/backend-swift: the swift:// plugin (OpenStack Swift, with Keystone v3 or v1 auth).
 * `swift://CONTAINER/PATH`. `open` is cheap and offline: it reads the OS_* settings (or the kops credentials
 * file) and returns a cached driver; undici is imported, and the token obtained, on the first request.
 * One client (token, connections) is kept per credentials, and one driver per container and segment size.
 */
import { createHash } from 'node:crypto';
import { definePlugin, InvalidConfigError, InvalidUrlError, type Description, type ParsedUrl, type PluginContext } from '@statestore/core';
import { readSwiftConfig, type SwiftConfig } from './config.js';
import { DEFAULT_SEGMENT_SIZE, SwiftBackend } from './swift-backend.js';
import { SwiftClient } from './swift-client.js';

export { SwiftBackend, CAPABILITIES, DEFAULT_SEGMENT_SIZE, type SwiftBackendOptions } from './swift-backend.js';
export { readSwiftConfig, credentialFilePath, parseIni, type SwiftConfig, type EndpointInterface } from './config.js';
export { SwiftClient, type SwiftInfo } from './swift-client.js';
export { selectEndpoint, tokenRequestBody, tokensUrl, type CatalogEntry } from './keystone.js';

const clients = new Map<string, SwiftClient>();
const backends = new Map<string, SwiftBackend>();

/** A cache key for the credentials: a digest, so no secret is kept as a map key. */
function identityOf(config: SwiftConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

function containerOf(url: ParsedUrl): string {
  const container = url.host;
  if (container.length > 256) {
    throw new InvalidUrlError(`Invalid swift URL ${url.input}: a container name is at most 256 bytes`, { url: url.input });
  }
  return container;
}

function segmentSizeOf(options: Readonly<Record<string, unknown>>): number {
  const value = options.segmentSize;
  if (value === undefined) return DEFAULT_SEGMENT_SIZE;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidConfigError(`swift:// option segmentSize must be a positive whole number of bytes, not ${String(value)}`);
  }
  return value;
}

function clientFor(config: SwiftConfig, env: NodeJS.ProcessEnv): SwiftClient {
  const identity = identityOf(config);
  let client = clients.get(identity);
  if (!client) {
    client = new SwiftClient(config, env);
    clients.set(identity, client);
  }
  return client;
}

function backendFor(url: ParsedUrl, context: PluginContext): SwiftBackend {
  const config = readSwiftConfig(context.env);
  const container = containerOf(url);
  const segmentSize = segmentSizeOf(context.options);
  const identity = identityOf(config);
  const cacheKey = JSON.stringify([identity, container, segmentSize]);
  let backend = backends.get(cacheKey);
  if (!backend) {
    const client = clientFor(config, context.env);
    backend = new SwiftBackend({ container, client, serviceId: `swift:${identity}`, segmentSize, warn: context.warn });
    backends.set(cacheKey, backend);
  }
  return backend;
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
