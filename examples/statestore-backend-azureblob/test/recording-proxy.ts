/**
 * A small HTTP proxy between the plugin and Azurite, on 127.0.0.1: it records every request (method,
 * path, headers) so tests can see what went over the wire, and can answer the next requests with an
 * error instead of forwarding them. Shared Key signatures do not cover the Host header, so requests
 * signed for the proxy's address are valid at Azurite.
 */
import http from 'node:http';
import type net from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent (still percent-encoded). */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface RecordingProxy {
  /** `http://127.0.0.1:PORT` */
  address: string;
  requests: RecordedRequest[];
  /** Answers the next `count` requests with this status and x-ms-error-code, without forwarding them. */
  failNext(status: number, errorCode: string, count?: number): void;
  stop(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  let failures: { status: number; errorCode: string; left: number } | undefined;
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (failures && failures.left > 0) {
      failures.left--;
      req.resume();
      req.once('end', () => {
        res.writeHead(failures!.status, { 'x-ms-error-code': failures!.errorCode, 'content-length': '0' });
        res.end();
      });
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.once('error', () => res.destroy());
    req.pipe(forward);
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    requests,
    failNext(status, errorCode, count = 1) {
      failures = { status, errorCode, left: count };
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
