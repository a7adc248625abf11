/**
 * OpenBao ships without the AWS auth method, so this shim stands in for that one endpoint only: it listens on
 * 127.0.0.1, records every `POST /v1/auth/aws/login` exactly as sent, and answers it with a real token that
 * the real OpenBao behind it minted (or with an error). Every other request is passed to the real server
 * untouched. It never calls AWS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenBaoInfo } from '@statestore/testkit/openbao';

export interface RecordedLogin {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface LoginShim {
  /** `127.0.0.1:PORT`, to put in a vault:// URL (plain HTTP). */
  hostPort: string;
  logins: RecordedLogin[];
  stop(): Promise<void>;
}

/** `answer` gives the status and JSON body for each login. */
export async function startLoginShim(server: OpenBaoInfo, answer: (login: RecordedLogin) => Promise<{ status: number; body: unknown }>): Promise<LoginShim> {
  const logins: RecordedLogin[] = [];
  const upstream = new URL(server.address);
  const shim = http.createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/v1/auth/aws/login') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const login = { method: req.method, path: req.url, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      logins.push(login);
      const { status, body } = await answer(login);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => shim.listen(0, '127.0.0.1', resolve));
  const { port } = shim.address() as AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    logins,
    stop: () =>
      new Promise<void>((resolve) => {
        shim.closeAllConnections();
        shim.close(() => resolve());
      }),
  };
}
