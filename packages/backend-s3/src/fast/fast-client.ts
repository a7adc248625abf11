/**
 * The fast S3 client (STATESTORE_S3_CLIENT=fast): a stand-in for the SDK's S3Client that sends the hot
 * operations itself — HeadObject, GetObject, PutObject of bytes, CopyObject, DeleteObject and
 * ListObjectsV2 — signed by the SDK's SigV4 signer on one undici keep-alive pool, and hands every other
 * command (and any input it does not know) to the SDK client it wraps. The bucket's endpoint (path- or
 * virtual-host-style, dual-stack, custom) comes from the SDK's own endpoint rules, once per bucket;
 * credentials from the SDK's provider chain. Answers and errors have the SDK's shape (output fields,
 * `name`/`Code`, `$metadata.httpStatusCode`, `$response.headers`; network errors keep their `code`), so the
 * driver treats both clients alike. Requests carry the caller's signal, which is how core's deadline layer
 * reaches them; core's request log sees them through undici's diagnostics channels.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { isStatestoreError } from '@statestore/core';
import { request, type Dispatcher } from 'undici';
import type { S3Sdk } from '../sdk.js';
import { operations, type Input, type Operation, type Output } from './operations.js';
import { serviceError } from './service-error.js';
import { EMPTY_SHA256, RequestSigner, payloadSha256 } from './signer.js';

/** Where one bucket's requests go, and the region they are signed for. */
interface BucketEndpoint {
  protocol: string;
  hostname: string;
  port?: number;
  origin: string;
  /** `''` (virtual-host style) or `/bucket` (path style), without a trailing slash. */
  basePath: string;
  signingRegion: string;
}

/** S3's URI encoding of a key (RFC 3986 unreserved characters kept, `/` kept between segments). */
function encodeKey(key: string): string {
  return encodeRfc3986(key).replace(/%2F/g, '/');
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class FastS3Client {
  readonly #sdkClient: S3Client;
  readonly #sdk: S3Sdk;
  readonly #dispatcher: Dispatcher;
  readonly #signer: RequestSigner;
  readonly #operations: Map<unknown, Operation>;
  /** Per bucket: its endpoint, or null when its requests are the SDK's (e.g. another signing scheme). */
  readonly #endpoints = new Map<string, Promise<BucketEndpoint | null>>();

  constructor(sdkClient: S3Client, sdk: S3Sdk, dispatcher: Dispatcher) {
    this.#sdkClient = sdkClient;
    this.#sdk = sdk;
    this.#dispatcher = dispatcher;
    this.#signer = new RequestSigner(sdkClient);
    this.#operations = operations(sdk);
  }

  /** The SDK client's resolved configuration (the multipart upload reads it). */
  get config(): S3Client['config'] {
    return this.#sdkClient.config;
  }

  get middlewareStack(): S3Client['middlewareStack'] {
    return this.#sdkClient.middlewareStack;
  }

  /** Sends a command: a hot one on the fast path, any other through the SDK. */
  async send(command: { input: object }, options: { abortSignal?: AbortSignal } = {}): Promise<Output> {
    const operation = this.#operations.get(command.constructor);
    const input = command.input as Input;
    const endpoint = operation && this.#handles(operation, input) ? await this.#endpointOf(input.Bucket as string) : null;
    if (!operation || !endpoint) return (this.#sdkClient.send as (c: unknown, o: unknown) => Promise<Output>)(command, options);
    return this.#send(operation, input, endpoint, options.abortSignal);
  }

  /** Closes the pool and the SDK client. */
  destroy(): void {
    this.#sdkClient.destroy();
    void this.#dispatcher.close().catch(() => undefined);
  }

  #handles(operation: Operation, input: Input): boolean {
    for (const [field, value] of Object.entries(input)) if (value !== undefined && !operation.fields.has(field)) return false;
    return typeof input.Bucket === 'string' && (operation.accepts?.(input) ?? true);
  }

  /** The bucket's endpoint by the SDK's endpoint rules (null when they ask for anything but plain SigV4 for s3). */
  #endpointOf(bucket: string): Promise<BucketEndpoint | null> {
    let found = this.#endpoints.get(bucket);
    if (!found) {
      found = getEndpointFromInstructions({ Bucket: bucket, Key: 'k' }, this.#sdk.HeadObjectCommand, this.#sdkClient.config as never).then(
        (endpoint) => {
          const schemes = (endpoint.properties?.authSchemes ?? []) as { name?: string; signingName?: string; signingRegion?: string }[];
          const scheme = schemes[0];
          if (!scheme || scheme.name !== 'sigv4' || scheme.signingName !== 's3' || !scheme.signingRegion) return null;
          const url = endpoint.url;
          return {
            protocol: url.protocol,
            hostname: url.hostname,
            ...(url.port ? { port: Number(url.port) } : {}),
            origin: url.origin,
            basePath: url.pathname.replace(/\/$/, ''),
            signingRegion: scheme.signingRegion,
          };
        },
        () => null,
      );
      this.#endpoints.set(bucket, found);
    }
    return found;
  }

  async #send(operation: Operation, input: Input, endpoint: BucketEndpoint, signal: AbortSignal | undefined): Promise<Output> {
    const built = operation.build(input);
    const path = `${endpoint.basePath}/${built.key === undefined ? '' : encodeKey(built.key)}`;
    const query = built.query ?? {};
    const headers = await this.#signer.sign(
      {
        method: built.method,
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port === undefined ? {} : { port: endpoint.port }),
        path,
        query,
        headers: {
          host: endpoint.port === undefined ? endpoint.hostname : `${endpoint.hostname}:${endpoint.port}`,
          'x-amz-content-sha256': built.body ? payloadSha256(built.body) : EMPTY_SHA256,
          ...built.headers,
        },
      },
      endpoint.signingRegion,
    );
    const search = Object.keys(query)
      .sort()
      .map((name) => `${encodeRfc3986(name)}=${encodeRfc3986(query[name]!)}`)
      .join('&');
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${endpoint.origin}${path}${search ? `?${search}` : ''}`, {
        method: built.method as Dispatcher.HttpMethod,
        headers,
        ...(built.body ? { body: built.body } : {}),
        dispatcher: this.#dispatcher,
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      throw requestFailed(e, signal);
    }
    try {
      if (response.statusCode >= 300) {
        const text = built.method === 'HEAD' ? (await response.body.dump(), '') : await response.body.text();
        const error = serviceError(response.statusCode, response.headers, text, false);
        if (error.Code === 'RequestTimeTooSkewed' && this.#signer.correctClock(error.$response.headers.date)) error.$metadata.clockSkewCorrected = true;
        throw error;
      }
      return { ...(await operation.read(response.statusCode, response.headers, response.body)), $metadata: { httpStatusCode: response.statusCode } };
    } catch (e) {
      // Whatever is left of the answer is dropped; its late errors are this failure's, already reported.
      response.body.on('error', () => undefined).destroy();
      throw requestFailed(e, signal);
    }
  }
}

/**
 * A failure as the SDK would report it: core's own errors (a deadline's reason) pass through; a request
 * the caller aborted is an AbortError; anything else (network errors with their `code`) as it is.
 */
function requestFailed(error: unknown, signal: AbortSignal | undefined): unknown {
  if (isStatestoreError(error)) return error;
  if (signal?.aborted) {
    if (isStatestoreError(signal.reason)) return signal.reason;
    return Object.assign(new Error('Request aborted', { cause: signal.reason }), { name: 'AbortError' });
  }
  return error;
}

/** The fast client in S3Client's place: it answers `send`, `config`, `middlewareStack` and `destroy` as S3Client does. */
export function asS3Client(client: FastS3Client): S3Client {
  return client as unknown as S3Client;
}
