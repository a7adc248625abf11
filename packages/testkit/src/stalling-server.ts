/**
 * A misbehaving HTTP server on 127.0.0.1 for hang tests: `stall` reads each request and never answers;
 * `trickle` answers 200 with JSON headers at once, then sends the body one byte per interval, forever;
 * `trickle-headers` sends even the status line and headers one byte per interval. Every request is
 * counted, and every connection is closed by `close()`.
 */
import http from 'node:http';
import type { Socket } from 'node:net';

export type Misbehaviour = 'stall' | 'trickle' | 'trickle-headers';

export interface StallingServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** Requests received so far (method and path). */
  requests: string[];
  close(): Promise<void>;
}

export async function startStallingServer(mode: Misbehaviour, intervalMs = 250): Promise<StallingServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const drip = (socket: Socket, bytes: () => string) => {
    const timer = setInterval(() => {
      if (socket.destroyed) {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      socket.write(bytes());
    }, intervalMs);
    timers.add(timer);
  };
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    if (mode === 'stall') return;
    if (mode === 'trickle') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1024 * 1024) });
      res.flushHeaders();
      drip(res.socket!, () => ' ');
      return;
    }
    const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-padding: ${'a'.repeat(64 * 1024)}`;
    let i = 0;
    drip(res.socket!, () => head[i++] ?? 'a');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
