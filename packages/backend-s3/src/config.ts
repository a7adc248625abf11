/**
 * Settings for one S3 store, read from the URL and the environment variables the kops documentation
 * names: S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, KOPS_STATE_S3_ACL, AWS_REGION,
 * plus Statestore's STATESTORE_S3_SSE, STATESTORE_S3_CLIENT and STATESTORE_CACHE. Pure: no SDK, no
 * network. Every problem is an InvalidConfigError that says what to set.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { InvalidConfigError, InvalidUrlError, registerSecret, type ParsedUrl } from '@statestore/core';
import { booleanVariable, choiceOption, endpointText, envValue as value, integerOption, parseEndpoint } from '@statestore/core/driver-kit';

/** The schemes this backend serves. `s3` is AWS (or any endpoint given by S3_ENDPOINT); the rest are S3-compatible services. */
export const S3_SCHEMES = ['s3', 'do', 'linode', 'hos', 'scw'] as const;
export type S3Scheme = (typeof S3_SCHEMES)[number];

/** Human names and example endpoints of the S3-compatible flavours, for messages. */
const FLAVOURS: Record<Exclude<S3Scheme, 's3'>, { service: string; example: string }> = {
  do: { service: 'DigitalOcean Spaces', example: 'https://nyc3.digitaloceanspaces.com' },
  linode: { service: 'Linode (Akamai) Object Storage', example: 'https://us-east-1.linodeobjects.com' },
  hos: { service: 'Hetzner Object Storage', example: 'https://fsn1.your-objectstorage.com' },
  scw: { service: 'Scaleway Object Storage', example: 'https://s3.fr-par.scw.cloud' },
};

/**
 * STATESTORE_S3_SSE: whether writes ask for server-side encryption (x-amz-server-side-encryption: AES256).
 * `auto` (default): always on AWS; on a custom endpoint (S3_ENDPOINT) where the server supports it, as
 * checked once per endpoint and bucket. `require`: always, and a server that cannot encrypt is an error.
 * `off`: never. A bucket that encrypts by default gets no header (its own encryption applies).
 */
export const SSE_MODES = ['auto', 'require', 'off'] as const;
export type SseMode = (typeof SSE_MODES)[number];

/**
 * STATESTORE_S3_CLIENT: which client sends the requests. `fast` (default): GET, PUT, HEAD, LIST, COPY and
 * DELETE signed by the SDK's SigV4 signer on an undici keep-alive pool, everything else through the AWS SDK.
 * `sdk`: every request through the AWS SDK (the way back should a service disagree with the fast path).
 */
export const CLIENT_KINDS = ['fast', 'sdk'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** How requests are authenticated. */
export type S3Credentials =
  | { kind: 'static'; accessKeyId: string; secretAccessKey: string; sessionToken?: string; source: string }
  | { kind: 'default-chain'; profile?: string };

/** Options a program may pass through `resolvePath(url, { plugin: {...} })`. */
export interface S3PluginOptions {
  /** Part size of multipart uploads of streamed bodies, bytes (default 8 MiB, at least 5 MiB). */
  multipartPartSize?: number;
  /** Parts uploaded in parallel (default 4). Memory used by one streamed write is about (queue + 1) × part size. */
  multipartQueueSize?: number;
}

export interface S3Config {
  scheme: S3Scheme;
  bucket: string;
  /**
   * The S3-compatible endpoint from S3_ENDPOINT (`https://` added when no scheme is given, user information
   * dropped). When set, the region is S3_REGION (default us-east-1), addressing is path-style and static
   * S3_* keys are required.
   */
  endpoint?: string;
  /** On AWS: an endpoint override from the SDK's own AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (VPC endpoints, tests). */
  awsEndpoint?: string;
  /** S3_REGION (or us-east-1) when `endpoint` is set. */
  fixedRegion?: string;
  /** AWS_REGION: where region discovery starts on AWS. */
  awsRegion?: string;
  credentials: S3Credentials;
  /** KOPS_STATE_S3_ACL: the canned ACL of every write (overrides a per-write ACL, as in kops). */
  acl?: string;
  /** STATESTORE_S3_SSE (see SseMode). */
  sse: SseMode;
  /** STATESTORE_S3_CLIENT (see ClientKind). */
  client: ClientKind;
  /** Where facts learned about servers are kept between runs: $STATESTORE_CACHE, else ~/.cache/statestore. */
  cacheDir: string;
  forcePathStyle: boolean;
  /** Only send request checksums where an operation requires one (S3-compatible services reject the newer ones). */
  checksumWhenRequired: boolean;
  /** AWS dual-stack endpoints (kops uses them); AWS_USE_DUALSTACK_ENDPOINT=false turns them off. */
  dualStack: boolean;
  /** The EC2 instance metadata service, for the region when AWS_REGION is unset. */
  metadata: { endpoint?: string; disabled: boolean };
  multipart: { partSize: number; queueSize: number };
  /** Environment for HTTP settings (proxies, AWS_CA_BUNDLE, STATESTORE_TIMEOUT). */
  env: NodeJS.ProcessEnv;
}

const MIB = 1024 * 1024;

/** Reads the settings for a parsed s3/do/linode/hos/scw URL. */
export function readConfig(url: ParsedUrl, env: NodeJS.ProcessEnv, options: Readonly<Record<string, unknown>> = {}): S3Config {
  const scheme = url.scheme as S3Scheme;
  if (!S3_SCHEMES.includes(scheme)) throw new InvalidUrlError(`${url.scheme}:// is not served by @statestore/backend-s3 (it serves ${S3_SCHEMES.join(', ')})`);
  const bucket = url.host;
  if (bucket.includes(':')) {
    throw new InvalidUrlError(`Invalid bucket ${JSON.stringify(bucket)} in ${url.input}: a bucket name has no port; give the endpoint in S3_ENDPOINT instead`, { url: url.input });
  }
  const rawEndpoint = value(env, 'S3_ENDPOINT');
  if (scheme !== 's3' && !rawEndpoint) {
    const f = FLAVOURS[scheme];
    throw new InvalidConfigError(
      `${scheme}://${bucket} needs S3_ENDPOINT: set it to your ${f.service} endpoint (e.g. S3_ENDPOINT=${f.example}), together with S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, and S3_REGION if the region is not us-east-1`,
      { url: url.input },
    );
  }
  const multipart = multipartOptions(options);
  const acl = value(env, 'KOPS_STATE_S3_ACL');
  const common = { scheme, bucket, sse: sseMode(env), client: clientKind(env), cacheDir: cacheDir(env), multipart, env, ...(acl ? { acl } : {}) };
  if (rawEndpoint) {
    return {
      ...common,
      endpoint: normalizeEndpoint(rawEndpoint, 'S3_ENDPOINT'),
      fixedRegion: value(env, 'S3_REGION') ?? 'us-east-1',
      credentials: staticS3Keys(env),
      forcePathStyle: true,
      checksumWhenRequired: true,
      dualStack: false,
      metadata: { disabled: true },
    };
  }
  const awsEndpointRaw = value(env, 'AWS_ENDPOINT_URL_S3') ?? value(env, 'AWS_ENDPOINT_URL');
  const awsEndpoint = awsEndpointRaw ? normalizeEndpoint(awsEndpointRaw, env.AWS_ENDPOINT_URL_S3 ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL') : undefined;
  const awsRegion = value(env, 'AWS_REGION');
  const metadataEndpoint = value(env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT');
  return {
    ...common,
    ...(awsEndpoint ? { awsEndpoint } : {}),
    ...(awsRegion ? { awsRegion } : {}),
    credentials: awsCredentials(env),
    forcePathStyle: false,
    checksumWhenRequired: false,
    dualStack: !awsEndpoint && booleanVariable(env, 'AWS_USE_DUALSTACK_ENDPOINT', true),
    metadata: { ...(metadataEndpoint ? { endpoint: metadataEndpoint } : {}), disabled: booleanVariable(env, 'AWS_EC2_METADATA_DISABLED') },
  };
}

/**
 * Identifies the credentials without revealing them: the key id plus a short digest of the secret, or
 * the profile of the default chain. Part of the client and cache keys.
 */
export function credentialsId(credentials: S3Credentials): string {
  if (credentials.kind === 'default-chain') return `chain:${credentials.profile ?? ''}`;
  const digest = createHash('sha256').update(`${credentials.secretAccessKey}\0${credentials.sessionToken ?? ''}`).digest('hex').slice(0, 16);
  return `static:${credentials.accessKeyId}:${digest}`;
}

/** The endpoint shown in messages and used to pick a proxy: S3_ENDPOINT, the AWS override, or the AWS host of the bucket. */
export function endpointForDisplay(config: S3Config, region?: string): string {
  if (config.endpoint) return config.endpoint;
  if (config.awsEndpoint) return config.awsEndpoint;
  return `https://s3.${config.dualStack ? 'dualstack.' : ''}${region ?? config.awsRegion ?? 'us-east-1'}.amazonaws.com`;
}

function sseMode(env: NodeJS.ProcessEnv): SseMode {
  try {
    return choiceOption(env.STATESTORE_S3_SSE, 'STATESTORE_S3_SSE', SSE_MODES, 'auto');
  } catch {
    throw new InvalidConfigError(
      `STATESTORE_S3_SSE=${env.STATESTORE_S3_SSE} is not one of ${SSE_MODES.join(', ')}: auto encrypts on AWS always and on other servers where they support it, require refuses to write unencrypted, off never asks for encryption`,
    );
  }
}

/**
 * STATESTORE_S3_CLIENT from the store's environment, else from the process's: a program that passes an
 * environment of its own can still be switched to the SDK client from outside.
 */
function clientKind(env: NodeJS.ProcessEnv): ClientKind {
  const raw = (value(env, 'STATESTORE_S3_CLIENT') ?? value(process.env, 'STATESTORE_S3_CLIENT'))?.toLowerCase() ?? 'fast';
  if ((CLIENT_KINDS as readonly string[]).includes(raw)) return raw as ClientKind;
  throw new InvalidConfigError(
    `STATESTORE_S3_CLIENT=${raw} is not one of ${CLIENT_KINDS.join(', ')}: fast sends the common requests on Statestore's own HTTP pool, sdk sends every request through the AWS SDK`,
  );
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  return value(env, 'STATESTORE_CACHE') ?? path.join(value(env, 'HOME') ?? os.homedir(), '.cache', 'statestore');
}

/** The endpoint without any `user:password@` part (S3 signs requests; the SDK never used it), so it can be shown. */
function normalizeEndpoint(raw: string, variable: string): string {
  return endpointText(parseEndpoint(raw, variable, { defaultScheme: 'https', example: 'a host such as nyc3.digitaloceanspaces.com or a URL such as https://host:port' }));
}

function staticS3Keys(env: NodeJS.ProcessEnv): S3Credentials {
  const accessKeyId = value(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = value(env, 'S3_SECRET_ACCESS_KEY');
  if (!accessKeyId) throw new InvalidConfigError('S3_ACCESS_KEY_ID cannot be empty when S3_ENDPOINT is set: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY to the keys of your S3-compatible service');
  if (!secretAccessKey) throw new InvalidConfigError('S3_SECRET_ACCESS_KEY cannot be empty when S3_ENDPOINT is set: set it to the secret that belongs to S3_ACCESS_KEY_ID');
  registerSecret(secretAccessKey);
  return { kind: 'static', accessKeyId, secretAccessKey, source: 'S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY' };
}

/**
 * AWS credentials: keys in the given environment are used directly (the first link of the SDK's chain,
 * so a test or program can pass its own environment); otherwise the SDK's default chain (profile, SSO,
 * web identity, container and instance roles), with AWS_PROFILE.
 */
function awsCredentials(env: NodeJS.ProcessEnv): S3Credentials {
  const accessKeyId = value(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = value(env, 'AWS_SECRET_ACCESS_KEY');
  if (accessKeyId && secretAccessKey) {
    const sessionToken = value(env, 'AWS_SESSION_TOKEN');
    registerSecret(secretAccessKey);
    registerSecret(sessionToken);
    return { kind: 'static', accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), source: 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY' };
  }
  const profile = value(env, 'AWS_PROFILE');
  return { kind: 'default-chain', ...(profile ? { profile } : {}) };
}

function multipartOptions(options: Readonly<Record<string, unknown>>): S3Config['multipart'] {
  return {
    partSize: integerOption(options.multipartPartSize, 'multipartPartSize', 8 * MIB, { min: 5 * MIB, unit: 'bytes (at least 5 MiB)' }),
    queueSize: integerOption(options.multipartQueueSize, 'multipartQueueSize', 4, { min: 1 }),
  };
}
