/**
 * The recording proxy: a pass-through HTTP proxy on 127.0.0.1 in front of a real server (MinIO,
 * fake-gcs-server) that records every request the driver sent (method, path, query, headers) and counts the
 * request-body bytes, so a test can check what went over the wire: headers such as x-amz-acl, query
 * parameters, how many requests, which upload type. The Host header is forwarded unchanged, so a server
 * verifies the signature the client made for the proxy's address. An optional `rewrite` may replace an
 * answer, to play a service that behaves otherwise (ignores a precondition, reports a per-key delete
 * error, omits a header, has a setting the emulator does not model); otherwise the real server's bytes
 * pass through.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

export interface ProxiedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RecordingProxyOptions {
  /**
   * Returns a replacement for the server's answer, or undefined to pass it through. When given, every
   * answer is read whole before it is passed on.
   */
  rewrite?: (request: RecordedRequest, response: ProxiedResponse) => ProxiedResponse | undefined;
}

export interface RecordingProxy {
  /** `http://127.0.0.1:<port>`: point the driver here. */
  endpoint: string;
  /** Every request received, in order (tests may empty it). */
  requests: RecordedRequest[];
  /** Request-body bytes received from the client so far. */
  bytesReceived(): number;
  stop(): Promise<void>;
}

/** Starts a recording proxy in front of `target` (an `http://127.0.0.1:<port>` server). */
export async function startRecordingProxy(target: string, options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
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
