/**
 * The OSS-protocol server: node:http on 127.0.0.1, state in memory. It turns each HTTP request into an
 * `OssRequest` (path-style addressing, `/bucket/key`, as OSS serves second-level-domain and IP endpoints), checks
 * its signature, picks the operation from the method, the sub-resources in the query and a few headers, and
 * writes the answer with the common response headers (x-oss-request-id, Date, Server: AliyunOSS). Operations
 * the reference documents but this server does not implement are answered 501 NotImplemented, never faked.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AccessKey, KeyRing, authenticate } from './auth.js';
import { deleteBucket, deleteMultipleObjects, getBucketInfo, getBucketVersioning, putBucket, putBucketVersioning } from './bucket-ops.js';
import { OssError, errorXml, errors } from './errors.js';
import { listObjectsV2 } from './listing.js';
import { abortMultipartUpload, completeMultipartUpload, initiateMultipartUpload, uploadPart } from './multipart.js';
import { copyObject, deleteObject, getObject, getObjectAcl, putObject } from './object-ops.js';
import type { OssRequest, OssResponse } from './request.js';
import { Store } from './store.js';
import { listObjectVersions } from './version-listing.js';

export interface OssServerOptions {
  /** Region id without the `oss-` prefix, used by V4 signatures (default `cn-hangzhou`). */
  region?: string;
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Buckets to create at start. */
  buckets?: string[];
}

/** A running server. */
export interface OssServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  /** Region id, e.g. `cn-hangzhou`. */
  region: string;
  /** The long-lived key created at start. */
  accessKeyId: string;
  accessKeySecret: string;
  /** Every key the server accepts; add keys or issue STS ones here. */
  keys: KeyRing;
  store: Store;
  /** Requests authenticated per AccessKeyId, for tests that check which key signed. */
  requestsByKey: Map<string, number>;
  close(): Promise<void>;
}

export async function startOssServer(options: OssServerOptions = {}): Promise<OssServer> {
  const region = options.region ?? 'cn-hangzhou';
  const store = new Store();
  const keys = new KeyRing();
  const main = keys.add({ accessKeyId: `LTAI${randomBytes(10).toString('hex')}`, accessKeySecret: randomBytes(20).toString('base64url') });
  const requestsByKey = new Map<string, number>();
  const context = { store, keys, region, requestsByKey };
  for (const name of options.buckets ?? []) {
    const created = route({ method: 'PUT', bucket: name, headers: {}, query: new Map(), body: Buffer.alloc(0), store, location: `oss-${region}` });
    if (created.status !== 200) throw new Error(`cannot create bucket ${name}`);
  }
  const server = http.createServer((req, res) => {
    void handle(req, res, context);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    region,
    accessKeyId: main.accessKeyId,
    accessKeySecret: main.accessKeySecret,
    keys,
    store,
    requestsByKey,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Context {
  store: Store;
  keys: KeyRing;
  region: string;
  requestsByKey: Map<string, number>;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, ctx: Context): Promise<void> {
  const requestId = randomBytes(12).toString('hex').toUpperCase();
  const method = req.method ?? 'GET';
  let response: OssResponse;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const parsed = parseTarget(req.url ?? '/');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const key: AccessKey = authenticate({ method, ...parsed, headers, authorization: headers.authorization }, ctx.keys, ctx.region);
    ctx.requestsByKey.set(key.accessKeyId, (ctx.requestsByKey.get(key.accessKeyId) ?? 0) + 1);
    response = route({
      method,
      ...(parsed.bucket === undefined ? {} : { bucket: parsed.bucket }),
      ...(parsed.key === undefined ? {} : { key: parsed.key }),
      headers,
      query: new Map(parsed.query),
      body: Buffer.concat(chunks),
      store: ctx.store,
      location: `oss-${ctx.region}`,
    });
  } catch (e) {
    const error = e instanceof OssError ? e : new OssError(500, 'InternalError', `We encountered an internal error: ${(e as Error).message}`);
    const xml = errorXml(error, requestId, req.headers.host ?? '127.0.0.1');
    // The error document is repeated base64-encoded in x-oss-err, for clients that cannot read the body
    // (HEAD has none; streaming clients may not read it) — as Alibaba's own SDKs expect of the service.
    const extra: Record<string, string> = { ...error.headers, 'x-oss-err': Buffer.from(xml).toString('base64'), ...(error.ec === undefined ? {} : { 'x-oss-ec': error.ec }) };
    response = method === 'HEAD' ? { status: error.status, headers: extra } : { status: error.status, headers: { ...extra, 'content-type': 'application/xml' }, body: xml };
  }
  const body = response.body === undefined ? undefined : typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
  res.statusCode = response.status;
  res.setHeader('x-oss-request-id', requestId);
  res.setHeader('server', 'AliyunOSS');
  res.setHeader('date', new Date().toUTCString());
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (!res.hasHeader('content-length')) res.setHeader('content-length', String(body?.byteLength ?? 0));
  res.end(body);
}

/** `/bucket/key?query` → decoded bucket, key and query pairs. */
function parseTarget(url: string): { bucket?: string; key?: string; query: [string, string][] } {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw errors.invalidArgument('The request URL is not correctly percent-encoded.', 'URL', url);
    }
  };
  const query: [string, string][] = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = decode((eq === -1 ? p : p.slice(0, eq)).replace(/\+/g, ' '));
      return [name, eq === -1 ? '' : decode(p.slice(eq + 1).replace(/\+/g, ' '))];
    });
  const trimmed = path.replace(/^\//, '');
  if (trimmed === '') return { query };
  const slash = trimmed.indexOf('/');
  const bucket = decode(slash === -1 ? trimmed : trimmed.slice(0, slash));
  const key = slash === -1 ? '' : decode(trimmed.slice(slash + 1));
  if (Buffer.byteLength(key) > 1023) throw new OssError(400, 'InvalidObjectName', 'The length of the object name must be less than 1024 bytes.');
  return key === '' ? { bucket, query } : { bucket, key, query };
}

/** Picks the operation. */
function route(req: OssRequest): OssResponse {
  const q = req.query;
  const m = req.method;
  if (req.bucket === undefined) return notImplemented('service-level operations (ListBuckets)');
  if (req.key === undefined) {
    if (m === 'PUT' && q.has('versioning')) return putBucketVersioning(req);
    if (m === 'PUT' && q.size === 0) return putBucket(req);
    if (m === 'GET' && q.has('versioning')) return getBucketVersioning(req);
    if (m === 'GET' && q.has('bucketInfo')) return getBucketInfo(req);
    if (m === 'GET' && q.get('list-type') === '2') return listObjectsV2(req);
    if (m === 'GET' && q.has('versions')) return listObjectVersions(req);
    if (m === 'POST' && q.has('delete')) return deleteMultipleObjects(req);
    if (m === 'DELETE' && q.size === 0) return deleteBucket(req);
    return notImplemented(`${m} on a bucket with ${[...q.keys()].join('&') || 'no sub-resource'}`);
  }
  if (m === 'PUT' && q.has('uploadId') && q.has('partNumber')) return uploadPart(req);
  if (m === 'PUT' && !q.has('acl') && !q.has('symlink') && !q.has('tagging')) return req.headers['x-oss-copy-source'] === undefined ? putObject(req) : copyObject(req);
  if (m === 'GET' && q.has('acl')) return getObjectAcl(req);
  if ((m === 'GET' || m === 'HEAD') && !q.has('uploadId') && !q.has('objectMeta') && !q.has('tagging') && !q.has('symlink')) return getObject(req, m === 'HEAD');
  if (m === 'DELETE' && q.has('uploadId')) return abortMultipartUpload(req);
  if (m === 'DELETE' && !q.has('tagging')) return deleteObject(req);
  if (m === 'POST' && q.has('uploads')) return initiateMultipartUpload(req);
  if (m === 'POST' && q.has('uploadId')) return completeMultipartUpload(req);
  return notImplemented(`${m} on an object with ${[...q.keys()].join('&') || 'no sub-resource'}`);
}

function notImplemented(what: string): never {
  throw new OssError(501, 'NotImplemented', `This test server does not implement ${what}.`);
}
