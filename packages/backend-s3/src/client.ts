/**
 * S3 clients: one per (endpoint, region, credentials, addressing, HTTP settings), shared by every store
 * that needs the same one (kops keyed its cache by region only, so flavours and credentials mixed). The
 * SDK's own retries are off (core retries), timeouts, proxies and AWS_CA_BUNDLE come from core's HTTP
 * settings. With STATESTORE_S3_CLIENT=fast (the default) the SDK client is wrapped by the fast client.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { BackendCache, httpSettingsFor, nodeAgents } from '@statestore/core/driver-kit';
import { credentialsId, endpointForDisplay, type S3Config } from './config.js';
import { loadSdk } from './sdk.js';

const clients = new BackendCache<Promise<S3Client>>();

/** The shared client for this store's settings in `region`. */
export function clientFor(config: S3Config, region: string): Promise<S3Client> {
  const http = httpSettingsFor(endpointForDisplay(config, region), { env: config.env, caBundleVariable: 'AWS_CA_BUNDLE' });
  const identity = [
    config.endpoint ?? config.awsEndpoint ?? 'aws',
    region,
    credentialsId(config.credentials),
    config.forcePathStyle,
    config.checksumWhenRequired,
    config.dualStack,
    http,
    config.client,
  ];
  return clients.get(identity, () => create(config, region, http));
}

async function create(config: S3Config, region: string, http: ReturnType<typeof httpSettingsFor>): Promise<S3Client> {
  const [{ S3Client }, { NodeHttpHandler }] = await Promise.all([loadSdk(), import('@smithy/node-http-handler')]);
  const agents = nodeAgents(http);
  const { credentials } = config;
  const sdkClient = new S3Client({
    region,
    maxAttempts: 1,
    ...(config.endpoint ? { endpoint: config.endpoint } : config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    useDualstackEndpoint: config.dualStack,
    ...(config.checksumWhenRequired ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    ...(credentials.kind === 'static'
      ? {
          credentials: {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
          },
        }
      : credentials.profile
        ? { profile: credentials.profile }
        : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: agents.http,
      httpsAgent: agents.https,
      connectionTimeout: Math.min(http.timeoutMs, 30_000),
      // An idle-socket limit rather than a whole-request one: large objects may take longer than the timeout.
      socketTimeout: http.timeoutMs,
    }),
  });
  if (config.client === 'sdk') return sdkClient;
  const { fastClient } = await import('./fast/index.js');
  return fastClient(sdkClient, http);
}
