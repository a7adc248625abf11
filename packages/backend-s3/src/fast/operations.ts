/**
 * The hot operations of the fast S3 client: for each SDK command it answers (HeadObject, GetObject,
 * PutObject of bytes, CopyObject, DeleteObject, ListObjectsV2), the input fields it understands, the
 * request they make, and the answer read back in the SDK's output shape (ETag, Metadata, Contents, …).
 * An input with any other field is not one of these: the client leaves it to the SDK.
 */
import type { Dispatcher } from 'undici';
import type { S3Sdk } from '../sdk.js';
import { serviceError } from './service-error.js';
import { elementText, elements } from './xml.js';

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;
type Headers = Record<string, string | string[] | undefined>;

/** One hot operation: the input fields it understands, how it becomes a request, how its answer is read. */
export interface Operation {
  fields: ReadonlySet<string>;
  /** False when this input is for the SDK after all (e.g. a streamed body). */
  accepts?(input: Input): boolean;
  build(input: Input): { method: string; key?: string; query?: Record<string, string>; headers?: Record<string, string>; body?: Uint8Array };
  /** Reads the answer (the body is consumed here, except for GetObject's). */
  read(status: number, headers: Headers, body: Dispatcher.ResponseData['body']): Promise<Output>;
}

/** A failed CopyObject may answer 200 with an error document: its root element. */
const ERROR_ELEMENT = '<Error>';

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

/** The operations by SDK command class. */
export function operations(sdk: S3Sdk): Map<unknown, Operation> {
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
          if (xml.includes(ERROR_ELEMENT)) throw serviceError(status, headers, xml, true);
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
