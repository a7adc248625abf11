/**
 * A pass-through HTTP proxy in front of MinIO that records what the driver sent (method, path, headers,
 * body bytes) so tests can check headers such as x-amz-acl or x-amz-server-side-encryption on the wire.
 * The Host header is forwarded unchanged, so MinIO verifies the signature the client made for the proxy.
 * An optional `rewrite` may replace a response (to play a service that ignores preconditions, or one
 * that reports a per-key delete error); the bytes still come from the real MinIO otherwise.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

export interface ProxiedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface ProxyOptions {
  /** Returns a replacement response, or undefined to pass MinIO's through. */
  rewrite?: (request: RecordedRequest, response: ProxiedResponse) => ProxiedResponse | undefined;
}

export interface RecordingProxy {
  endpoint: string;
  requests: RecordedRequest[];
  /** Request-body bytes received from the client so far. */
  bytesReceived(): number;
  stop(): Promise<void>;
}

export async function startRecordingProxy(target: string, options: ProxyOptions = {}): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  let received = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(recorded);
    req.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
    });
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (!options.rewrite) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const original = { status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) };
        const out = options.rewrite!(recorded, original) ?? original;
        const headers = { ...out.headers, 'content-length': String(out.body.byteLength) };
        delete headers['transfer-encoding'];
        res.writeHead(out.status, headers);
        res.end(out.body);
      });
    });
    forward.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    bytesReceived: () => received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
