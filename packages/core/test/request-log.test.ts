/**
 * The per-request log: a driver that makes real HTTP requests (node:http and fetch) to a local server,
 * wrapped as a VfsPath with a request logger. Every request is reported once with its method, redacted
 * URL, status or error and the attempt of the retry that made it; requests outside a store call are not.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemfsBackend,
  TransientError,
  observeRequests,
  pathForBackend,
  type Backend,
  type ObjectInfo,
  type RequestEvent,
  type WriteBody,
} from '../src/index.js';
import { requestStarted } from '../src/driver-kit/index.js';

let server: http.Server;
let base: string;
/** Paths the server answers 503 the first time it sees them. */
const failOnce = new Set<string>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    req.resume();
    if (failOnce.delete(path)) res.statusCode = 503;
    else res.statusCode = path.includes('missing') ? 404 : 200;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function httpRequest(method: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A driver over the local server: stat with node:http, write with fetch, data kept in memfs. */
class HttpDriver implements Backend {
  private readonly data = new MemfsBackend();
  constructor(private readonly origin: string) {}
  get capabilities() {
    return this.data.capabilities;
  }
  urlFor(key: string) {
    return `test://${key}`;
  }
  async stat(key: string) {
    const status = await httpRequest('HEAD', `${this.origin}/${key}?X-Amz-Signature=secret-signature`).catch((e: Error) => {
      throw new TransientError(e.message);
    });
    if (status === 503) throw new TransientError('503 Slow Down');
    return this.data.stat(key);
  }
  async write(key: string, body: WriteBody): Promise<ObjectInfo> {
    const res = await fetch(`${this.origin}/${key}`, { method: 'PUT', body: 'x' });
    await res.text();
    if (res.status === 503) throw new TransientError('503 Slow Down');
    return this.data.write(key, body);
  }
  read(key: string) {
    return this.data.read(key);
  }
  delete(key: string) {
    return this.data.delete(key);
  }
  list(prefix: string) {
    return this.data.list(prefix);
  }
}

const fast = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, deadlineMs: 5_000 };

describe('the request log', () => {
  it('reports each request of a store call once: method, redacted URL, status, attempt (node:http and fetch)', async () => {
    const events: RequestEvent[] = [];
    const root = pathForBackend(new HttpDriver(base), '', { requestLogger: (e) => events.push(e), retry: fast });
    failOnce.add('/flaky');
    await root.join('flaky').writeFile('hello');
    await root.join('missing').exists();
    expect(events.map(({ method, url, status, attempt }) => ({ method, url, status, attempt }))).toEqual([
      { method: 'PUT', url: `${base}/flaky`, status: 503, attempt: 1 },
      { method: 'PUT', url: `${base}/flaky`, status: 200, attempt: 2 },
      { method: 'HEAD', url: `${base}/missing?X-Amz-Signature=***`, status: 404, attempt: 1 },
    ]);
    for (const e of events) expect(e.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(events)).not.toContain('secret-signature');
  });

  it('reports a request that got no answer with its error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const events: RequestEvent[] = [];
    const root = pathForBackend(new HttpDriver(origin), '', { requestLogger: (e) => events.push(e), retry: { ...fast, maxAttempts: 2 } });
    await expect(root.join('x').exists()).rejects.toThrow();
    expect(events.map(({ method, error, attempt }) => ({ method, error, attempt }))).toEqual([
      { method: 'HEAD', error: 'ECONNREFUSED', attempt: 1 },
      { method: 'HEAD', error: 'ECONNREFUSED', attempt: 2 },
    ]);
  });

  it('reports nothing made outside a store call, and nothing without a request logger', async () => {
    const events: RequestEvent[] = [];
    const logged = pathForBackend(new HttpDriver(base), '', { requestLogger: (e) => events.push(e) });
    await httpRequest('GET', `${base}/outside`);
    await pathForBackend(new HttpDriver(base)).join('unlogged').exists();
    expect(events).toEqual([]);
    await logged.join('logged').exists();
    expect(events.map((e) => e.url)).toEqual([`${base}/logged?X-Amz-Signature=***`]);
  });

  it('observeRequests attributes work outside a VfsPath (a plugin call) to a logger', async () => {
    const events: RequestEvent[] = [];
    await observeRequests((e) => events.push(e), 1, () => httpRequest('GET', `${base}/describe`));
    expect(events.map((e) => [e.method, e.url, e.status])).toEqual([['GET', `${base}/describe`, 200]]);
  });
});

describe('requestStarted (driver kit): a transport core does not see reports its own requests', () => {
  it('reported once, redacted, with the attempt of the store call it runs in; nothing outside one', async () => {
    const events: RequestEvent[] = [];
    await observeRequests((e) => events.push(e), 2, async () => {
      const done = requestStarted('POST', 'https://grpc.example/v1/objects?X-Amz-Signature=deadbeef&name=a');
      await Promise.resolve();
      done({ status: 200 });
      requestStarted('GET', 'https://grpc.example/v1/missing')({ error: 'UNAVAILABLE' });
    });
    requestStarted('GET', 'https://grpc.example/outside')({ status: 200 });
    expect(events.map(({ durationMs: _d, ...e }) => e)).toEqual([
      { method: 'POST', url: expect.not.stringContaining('deadbeef'), status: 200, attempt: 2 },
      { method: 'GET', url: 'https://grpc.example/v1/missing', error: 'UNAVAILABLE', attempt: 2 },
    ]);
  });
});
