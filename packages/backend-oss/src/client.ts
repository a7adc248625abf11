/**
 * The ali-oss client, typed by the calls this backend makes (the published typings miss several of them),
 * and its construction. ali-oss is imported here, on first use, never when the plugin loads. Its own retries
 * are off (core retries), its timeout and agents come from core's HTTP settings, and every request asks the
 * credential source first, which refreshes STS credentials before they expire.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import type { OssSettings } from './config.js';
import type { CredentialSource, OssCredentials } from './credentials.js';

export interface AliResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

export interface AliRequestOptions {
  headers?: Record<string, string>;
  meta?: Record<string, string>;
  mime?: string;
  timeout?: number;
  /** Sub-resources sent in the query and signed (e.g. `versionId`). */
  subres?: Record<string, string>;
}

/** One entry of ListObjectVersions as ali-oss returns it (`getBucketVersions`). */
export interface AliObjectVersion {
  name: string;
  versionId: string;
  lastModified: string;
  isLatest?: boolean;
  etag?: string;
  size?: number;
}

export interface AliListedObject {
  name: string;
  lastModified: string;
  etag: string;
  size: number;
  type?: string;
}

/** The ali-oss calls this backend makes. */
export interface AliOssClient {
  put(name: string, content: Buffer, options?: AliRequestOptions): Promise<{ res: AliResponse }>;
  head(name: string, options?: AliRequestOptions): Promise<{ status: number; res: AliResponse }>;
  getStream(name: string, options?: AliRequestOptions): Promise<{ stream: Readable; res: AliResponse }>;
  delete(name: string, options?: AliRequestOptions): Promise<{ res: AliResponse }>;
  deleteMulti(names: string[], options?: { quiet?: boolean }): Promise<{ deleted: ({ Key: string } | string)[] }>;
  listV2(query: Record<string, string | number>, options?: AliRequestOptions): Promise<{
    objects: AliListedObject[];
    prefixes: string[] | null;
    isTruncated: boolean;
    nextContinuationToken: string | null;
  }>;
  copy(name: string, sourceName: string, options?: AliRequestOptions): Promise<{ res: AliResponse }>;
  initMultipartUpload(name: string, options?: AliRequestOptions): Promise<{ uploadId: string }>;
  uploadPart(name: string, uploadId: string, partNo: number, file: Buffer, start: number, end: number, options?: AliRequestOptions): Promise<{ etag: string }>;
  completeMultipartUpload(name: string, uploadId: string, parts: { number: number; etag: string }[], options?: AliRequestOptions): Promise<{ res: AliResponse }>;
  abortMultipartUpload(name: string, uploadId: string, options?: AliRequestOptions): Promise<unknown>;
  getBucketVersioning(bucket: string): Promise<{ versionStatus?: string }>;
  getBucketVersions(query: Record<string, string | number>): Promise<{
    /** `data` is the listing document as received. */
    res: AliResponse & { data?: Buffer };
    objects: AliObjectVersion[];
    deleteMarker: AliObjectVersion[];
    isTruncated: boolean;
    nextKeyMarker: string | null;
    nextVersionIdMarker: string | null;
  }>;
}

export interface ClientParams {
  settings: OssSettings;
  /** `oss-<region>`. */
  region: string;
  credentials: CredentialSource;
  initial: OssCredentials;
  timeoutMs: number;
  agents: { http: HttpAgent; https: HttpsAgent };
}

/** The endpoint requests go to, for messages and `describe`. */
export function endpointOf(settings: OssSettings, region: string): string {
  return settings.endpoint ?? `https://${region}${settings.internal ? '-internal' : ''}.aliyuncs.com`;
}

/** The signal of the driver call in progress, for the HTTP request ali-oss makes on its behalf. */
const callSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `fn` (one or more ali-oss calls) so that aborting `signal` aborts their HTTP requests: a request cut
 * off by its deadline must never reach the service later (ali-oss takes no signal of its own).
 */
export function withSignal<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  if (!signal) return fn();
  signal.throwIfAborted();
  return callSignal.run(signal, fn);
}

interface Urllib {
  request(url: string, params: { beforeRequest?: (options: Record<string, unknown>) => void }): Promise<unknown>;
}

export async function createClient({ settings, region, credentials, initial, timeoutMs, agents }: ClientParams): Promise<AliOssClient> {
  const { default: OSS } = (await import('ali-oss')) as unknown as { default: new (options: Record<string, unknown>) => AliOssClient & { urllib: Urllib } };
  const client = new OSS({
    accessKeyId: initial.accessKeyId,
    accessKeySecret: initial.accessKeySecret,
    ...(initial.securityToken ? { stsToken: initial.securityToken } : {}),
    // ali-oss calls this before every request when a token is in use; the source answers from its cache
    // and refreshes only when expiry is near.
    refreshSTSToken: async () => {
      const c = await credentials.current();
      return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, stsToken: c.securityToken ?? '' };
    },
    refreshSTSTokenInterval: 0,
    bucket: settings.bucket,
    region,
    internal: settings.internal,
    secure: settings.endpoint ? settings.endpoint.startsWith('https:') : true,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    // Path-style /bucket/key: what ali-oss calls a second-level-domain endpoint.
    sldEnable: settings.pathStyle,
    authorizationV4: settings.signatureVersion === 4,
    retryMax: 0,
    timeout: timeoutMs,
    agent: agents.http,
    httpsAgent: agents.https,
  });
  // urllib hands its options to http.request, which aborts the request (and its socket) on a signal.
  const urllib = client.urllib;
  client.urllib = {
    request(url, params) {
      const signal = callSignal.getStore();
      if (signal) {
        const before = params.beforeRequest;
        params.beforeRequest = (options) => {
          before?.(options);
          options.signal = signal;
        };
      }
      return urllib.request(url, params);
    },
  };
  return client;
}
