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
import { serviceError } from './service-error.js';
import { EMPTY_SHA256, RequestSigner, payloadSha256 } from './signer.js';
import { elementText, elements } from './xml.js';

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;
type Headers = Record<string, string | string[] | undefined>;

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

/** One hot operation: the input fields it understands, how it becomes a request, how its answer is read. */
interface Operation {
  fields: ReadonlySet<string>;
  /** False when this input is for the SDK after all (e.g. a streamed body). */
  accepts?(input: Input): boolean;
  build(input: Input): { method: string; key?: string; query?: Record<string, string>; headers?: Record<string, string>; body?: Uint8Array };
  /** Reads the answer (the body is consumed here, except for GetObject's). */
  read(status: number, headers: Headers, body: Dispatcher.ResponseData['body']): Promise<Output>;
}

const S3_NAMESPACE_ERROR = '<Error>';

/** S3's URI encoding of a key (RFC 3986 unreserved characters kept, `/` kept between segments). */
export function encodeKey(key: string): string {
  return encodeRfc3986(key).replace(/%2F/g, '/');
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function dateOf(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The fields HeadObject and GetObject answers share. */
function objectFields(headers: Headers): Output {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) metadata[name.slice(11)] = Array.isArray(value) ? value.join(',') : value;
  }
  const length = header(headers, 'content-length');
  return {
    ETag: header(headers, 'etag'),
    ContentLength: length === undefined ? undefined : Number(length),
    ContentRange: header(headers, 'content-range'),
    ContentType: header(headers, 'content-type'),
    LastModified: dateOf(header(headers, 'last-modified')),
    ServerSideEncryption: header(headers, 'x-amz-server-side-encryption'),
    SSECustomerAlgorithm: header(headers, 'x-amz-server-side-encryption-customer-algorithm'),
    VersionId: header(headers, 'x-amz-version-id'),
    Metadata: metadata,
  };
}

/** The headers a write sends for these input fields. */
function writeHeaders(input: Input): Record<string, string> {
  const headers: Record<string, string> = {};
  if (typeof input.ContentType === 'string') headers['content-type'] = input.ContentType;
  if (typeof input.ACL === 'string') headers['x-amz-acl'] = input.ACL;
  if (typeof input.ServerSideEncryption === 'string') headers['x-amz-server-side-encryption'] = input.ServerSideEncryption;
  if (typeof input.IfNoneMatch === 'string') headers['if-none-match'] = input.IfNoneMatch;
  if (typeof input.IfMatch === 'string') headers['if-match'] = input.IfMatch;
  if (input.Metadata) {
    for (const [name, value] of Object.entries(input.Metadata as Record<string, string>)) headers[`x-amz-meta-${name.toLowerCase()}`] = value;
  }
  return headers;
}

const OBJECT = ['Bucket', 'Key'];
const WRITE = [...OBJECT, 'ContentType', 'ACL', 'ServerSideEncryption', 'IfNoneMatch', 'IfMatch', 'Metadata'];

function operations(sdk: S3Sdk): Map<unknown, Operation> {
  const answered = async (_status: number, _headers: Headers, body: Dispatcher.ResponseData['body']) => {
    await body.dump();
    return {};
  };
  return new Map<unknown, Operation>([
    [
      sdk.HeadObjectCommand,
      {
        fields: new Set(OBJECT),
        build: (input) => ({ method: 'HEAD', key: input.Key as string }),
        read: async (_status, headers, body) => {
          await body.dump();
          return objectFields(headers);
        },
      },
    ],
    [
      sdk.GetObjectCommand,
      {
        fields: new Set([...OBJECT, 'Range']),
        build: (input) => ({ method: 'GET', key: input.Key as string, ...(typeof input.Range === 'string' ? { headers: { range: input.Range } } : {}) }),
        read: async (_status, headers, body) => ({ ...objectFields(headers), Body: body }),
      },
    ],
    [
      sdk.PutObjectCommand,
      {
        fields: new Set([...WRITE, 'Body', 'ContentLength']),
        accepts: (input) => input.Body instanceof Uint8Array || typeof input.Body === 'string',
        build: (input) => {
          const body = typeof input.Body === 'string' ? new TextEncoder().encode(input.Body) : (input.Body as Uint8Array);
          return { method: 'PUT', key: input.Key as string, headers: writeHeaders(input), body };
        },
        read: async (_status, headers, body) => {
          await body.dump();
          const fields = objectFields(headers);
          return { ETag: fields.ETag, ServerSideEncryption: fields.ServerSideEncryption, SSECustomerAlgorithm: fields.SSECustomerAlgorithm, VersionId: fields.VersionId };
        },
      },
    ],
    [
      sdk.CopyObjectCommand,
      {
        fields: new Set([...WRITE, 'CopySource', 'MetadataDirective']),
        build: (input) => ({
          method: 'PUT',
          key: input.Key as string,
          headers: {
            ...writeHeaders(input),
            'x-amz-copy-source': input.CopySource as string,
            ...(typeof input.MetadataDirective === 'string' ? { 'x-amz-metadata-directive': input.MetadataDirective } : {}),
          },
        }),
        read: async (status, headers, body) => {
          const xml = await body.text();
          // S3 may fail a copy after it has answered 200: the error is then the body.
          if (xml.includes(S3_NAMESPACE_ERROR)) throw serviceError(status, headers, xml, true);
          const fields = objectFields(headers);
          return {
            CopyObjectResult: { ETag: elementText(xml, 'ETag'), LastModified: dateOf(elementText(xml, 'LastModified')) },
            ServerSideEncryption: fields.ServerSideEncryption,
            SSECustomerAlgorithm: fields.SSECustomerAlgorithm,
          };
        },
      },
    ],
    [
      sdk.DeleteObjectCommand,
      {
        fields: new Set([...OBJECT, 'IfMatch']),
        build: (input) => ({ method: 'DELETE', key: input.Key as string, ...(typeof input.IfMatch === 'string' ? { headers: { 'if-match': input.IfMatch } } : {}) }),
        read: answered,
      },
    ],
    [
      sdk.ListObjectsV2Command,
      {
        fields: new Set(['Bucket', 'Prefix', 'Delimiter', 'ContinuationToken', 'MaxKeys']),
        build: (input) => ({
          method: 'GET',
          query: {
            'list-type': '2',
            ...(typeof input.Prefix === 'string' ? { prefix: input.Prefix } : {}),
            ...(typeof input.Delimiter === 'string' ? { delimiter: input.Delimiter } : {}),
            ...(typeof input.ContinuationToken === 'string' ? { 'continuation-token': input.ContinuationToken } : {}),
            ...(typeof input.MaxKeys === 'number' ? { 'max-keys': String(input.MaxKeys) } : {}),
          },
        }),
        read: async (_status, _headers, body) => listing(await body.text()),
      },
    ],
  ]);
}

/** A ListObjectsV2 answer in the SDK's shape. */
function listing(xml: string): Output {
  const size = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  const keyCount = elementText(xml, 'KeyCount');
  return {
    Contents: elements(xml, 'Contents').map((entry) => ({
      Key: elementText(entry, 'Key'),
      Size: size(elementText(entry, 'Size')),
      ETag: elementText(entry, 'ETag'),
      LastModified: dateOf(elementText(entry, 'LastModified')),
    })),
    CommonPrefixes: elements(xml, 'CommonPrefixes').map((entry) => ({ Prefix: elementText(entry, 'Prefix') })),
    IsTruncated: elementText(xml, 'IsTruncated') === 'true',
    NextContinuationToken: elementText(xml, 'NextContinuationToken'),
    KeyCount: size(keyCount),
  };
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

  /** The SDK client's resolved configuration (lib-storage's Upload reads it). */
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
        throw serviceError(response.statusCode, response.headers, text, false);
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
