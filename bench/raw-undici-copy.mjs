#!/usr/bin/env node
/**
 * The floor of `sync-minio.mjs`: the least work that copies a bucket on this server from Node. Lists the
 * source (ListObjectsV2, 1,000 a page) and issues one CopyObject per key, N at a time, each signed with
 * @smithy/signature-v4 and sent on one undici keep-alive pool: no comparison with the target, no error
 * mapping, no retries. Run as its own process (timed from spawn to exit by the caller), so start-up counts
 * as it does for the tools compared. What it takes is what the server and the machine allow a Node client.
 *
 * Usage: S3_ENDPOINT=… S3_ACCESS_KEY_ID=… S3_SECRET_ACCESS_KEY=… node raw-undici-copy.mjs SRC DST [--transfers 64]
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent, request } from 'undici';

const args = process.argv.slice(2);
const i = args.indexOf('--transfers');
const TRANSFERS = i === -1 ? 64 : Number(args[i + 1]);
const [src, dst] = args.filter((a, j) => !a.startsWith('--') && !args[j - 1]?.startsWith('--'));
const endpoint = new URL(process.env.S3_ENDPOINT);
const region = process.env.S3_REGION ?? 'us-east-1';

class Sha256 {
  constructor(secret) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const signer = new SignatureV4({
  service: 's3',
  region,
  sha256: Sha256,
  uriEscapePath: false,
  credentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID, secretAccessKey: process.env.S3_SECRET_ACCESS_KEY },
});
const dispatcher = new Agent({ connections: TRANSFERS, keepAliveTimeout: 30_000 });
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function send(method, path, query = {}, headers = {}) {
  const signed = await signer.sign({
    method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path,
    query,
    headers: { host: endpoint.host, 'x-amz-content-sha256': EMPTY_SHA256, ...headers },
  });
  const qs = new URLSearchParams(query).toString();
  const res = await request(`${endpoint.origin}${path}${qs ? `?${qs}` : ''}`, { method, headers: signed.headers, dispatcher });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
  return text;
}

const decode = (s) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]);
const encodeKey = (key) => encodeURIComponent(key).replace(/%2F/g, '/');

/** Runs `fn` at most TRANSFERS at a time; copies start as soon as their page is listed. */
let running = 0;
const waiting = [];
async function limited(fn) {
  if (running >= TRANSFERS) await new Promise((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

let token;
let copied = 0;
const copies = [];
do {
  const xml = await send('GET', `/${src}`, { 'list-type': '2', 'max-keys': '1000', ...(token ? { 'continuation-token': token } : {}) });
  for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) {
    const key = decode(m[1]);
    copies.push(limited(() => send('PUT', `/${dst}/${encodeKey(key)}`, {}, { 'x-amz-copy-source': `${src}/${encodeKey(key)}` })).then(() => copied++));
  }
  token = /<NextContinuationToken>([^<]*)</.exec(xml)?.[1];
  token = token && decode(token);
} while (token);
await Promise.all(copies);
await dispatcher.close();
process.stderr.write(`copied ${copied}\n`);
