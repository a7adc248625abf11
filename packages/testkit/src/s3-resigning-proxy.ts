/**
 * An S3 proxy on 127.0.0.1 that plays a service which silently ignores some request headers (e.g. an
 * S3-compatible server that accepts If-Match and does nothing with it): it removes the named headers from
 * every request and signs the request again (AWS SigV4) with the test keys, so the real server (MinIO)
 * accepts it and answers as if the client had never sent them. Bodies are buffered (test-sized objects).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface ResigningProxyOptions {
  /** The real server, http://127.0.0.1:PORT. */
  target: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Request headers (lowercase) to drop before re-signing. */
  drop: string[];
}

export interface ResigningProxy {
  url: string;
  /** Requests that carried at least one dropped header. */
  stripped: number;
  close(): Promise<void>;
}

/** Headers the signer computes itself, or that must not be forwarded as the client sent them. */
const RESIGNED = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'host', 'connection', 'content-length', 'transfer-encoding', 'expect']);

export async function startResigningProxy(options: ResigningProxyOptions): Promise<ResigningProxy> {
  const target = new URL(options.target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error(`The re-signing proxy only forwards to loopback addresses, not ${target.hostname}`);
  const signer = new SignatureV4({ service: 's3', region: options.region, credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }, sha256: Sha256, uriEscapePath: false });
  const drop = new Set(options.drop.map((h) => h.toLowerCase()));
  const agent = new http.Agent({ keepAlive: true });
  const state = { stripped: 0 };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', options.target);
    const headers: Record<string, string> = {};
    let strippedOne = false;
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || RESIGNED.has(name)) continue;
      if (drop.has(name)) {
        strippedOne = true;
        continue;
      }
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    if (strippedOne) state.stripped++;
    headers.host = target.host;
    if (body.byteLength > 0) headers['content-length'] = String(body.byteLength);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const existing = query[k];
      query[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
    }
    const signed = await signer.sign({ method: req.method ?? 'GET', protocol: 'http:', hostname: target.hostname, port: Number(target.port), path: url.pathname, query, headers, body });
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: `${url.pathname}${url.search}`, headers: signed.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.socket?.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get stripped() {
      return state.stripped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
