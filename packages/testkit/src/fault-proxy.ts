/**
 * The fault proxy: an HTTP reverse proxy on 127.0.0.1 between a client and a real server (also on
 * 127.0.0.1; HTTP, or HTTPS trusting a given CA, as kube-apiserver serves) that injects faults at configured rates, reproducibly from a seed: added latency,
 * connection resets before the request reaches the server, 500/503 answers (S3's SlowDown body on
 * 503), responses lost after the server applied the request, bodies cut mid-way, and requests held in
 * the network for `holdMs` before they reach the server (dropped, as a network drops them, if the client
 * gives up meanwhile), and chosen requests stuck for good (`stall`), to stop a process at a known point.
 * Counters tell a test how many faults of each kind it survived.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './seeded-random.js';

export type FaultKind = 'latency' | 'resetBeforeForward' | 'error500' | 'error503' | 'lostResponse' | 'cutBody' | 'hold';

export interface FaultRates {
  /** Probability per request of each fault (at most one fault per request, checked in this order). */
  resetBeforeForward?: number;
  error500?: number;
  error503?: number;
  lostResponse?: number;
  cutBody?: number;
  /** Requests held back for `holdMs` before they are forwarded; never forwarded if the client went away. */
  hold?: number;
  holdMs?: number;
  /** Probability of added latency, and its maximum in ms. */
  latency?: number;
  maxLatencyMs?: number;
}

export interface FaultProxyOptions {
  /** The real server, e.g. http://127.0.0.1:9000 (must be loopback). */
  target: string;
  /** PEM of the CA to trust when the target is https:// (the proxy itself listens on plain HTTP). */
  targetCa?: string;
  seed: number;
  rates: FaultRates;
  /** Only requests this returns true for are eligible for faults (default: all). */
  eligible?: (req: http.IncomingMessage) => boolean;
  /**
   * Requests this returns true for are stuck: never forwarded, never answered (a process waiting on one can be
   * stopped at exactly that point). `onStall` hears of each as it arrives.
   */
  stall?: (req: http.IncomingMessage) => boolean;
  onStall?: (req: http.IncomingMessage) => void;
}

export interface FaultProxy {
  url: string;
  counts: Record<FaultKind | 'requests' | 'holdDropped', number>;
  /** Turn faults on or off (e.g. off while a test sets up). */
  setEnabled(enabled: boolean): void;
  close(): Promise<void>;
}

const SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`The fault proxy only forwards to loopback addresses, not ${target.hostname}`);
  }
  const random = seededRandom(options.seed);
  const counts: FaultProxy['counts'] = { requests: 0, latency: 0, resetBeforeForward: 0, error500: 0, error503: 0, lostResponse: 0, cutBody: 0, hold: 0, holdDropped: 0 };
  let enabled = true;
  const secure = target.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, ...(options.targetCa ? { ca: options.targetCa } : {}) }) : new http.Agent({ keepAlive: true });
  const r = options.rates;

  const pick = (): FaultKind | undefined => {
    const roll = random();
    let edge = 0;
    for (const kind of ['resetBeforeForward', 'error500', 'error503', 'lostResponse', 'cutBody', 'hold'] as const) {
      edge += r[kind] ?? 0;
      if (roll < edge) return kind;
    }
    return undefined;
  };

  const server = http.createServer(async (req, res) => {
    counts.requests++;
    if (options.stall?.(req)) {
      req.resume();
      options.onStall?.(req);
      return;
    }
    const faulty = enabled && (options.eligible?.(req) ?? true);
    const fault = faulty ? pick() : undefined;
    if (faulty && r.latency && random() < r.latency) {
      counts.latency++;
      await new Promise((done) => setTimeout(done, Math.floor(random() * (r.maxLatencyMs ?? 200))));
    }
    if (fault === 'resetBeforeForward') {
      counts.resetBeforeForward++;
      req.resume();
      req.socket.destroy();
      return;
    }
    if (fault === 'error500' || fault === 'error503') {
      counts[fault]++;
      req.resume();
      req.once('end', () => {
        const body = fault === 'error503' ? SLOW_DOWN : '<Error><Code>InternalError</Code><Message>injected</Message></Error>';
        res.writeHead(fault === 'error503' ? 503 : 500, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), connection: 'close' });
        res.end(body);
      });
      return;
    }
    let held: Buffer | undefined;
    if (fault === 'hold') {
      counts.hold++;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      held = Buffer.concat(chunks);
      const gone = new Promise<void>((done) => res.once('close', () => done()));
      await Promise.race([new Promise((done) => setTimeout(done, r.holdMs ?? 1_000)), gone]);
      if (req.socket.destroyed || res.destroyed) {
        counts.holdDropped++;
        return;
      }
    }
    const upstream = (secure ? https : http).request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (up) => {
        if (fault === 'lostResponse') {
          counts.lostResponse++;
          up.resume();
          up.once('end', () => req.socket.destroy());
          return;
        }
        if (fault === 'cutBody') {
          const length = Number(up.headers['content-length'] ?? 0);
          if (length > 1) {
            counts.cutBody++;
            res.writeHead(up.statusCode ?? 502, up.headers);
            let sent = 0;
            const half = Math.floor(length / 2);
            up.on('data', (chunk: Buffer) => {
              if (sent >= half) return;
              const part = chunk.subarray(0, half - sent);
              sent += part.length;
              res.write(part);
              if (sent >= half) res.socket?.destroy();
            });
            return;
          }
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    if (held) upstream.end(held);
    else req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    setEnabled: (on) => {
      enabled = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
