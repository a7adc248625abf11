/**
 * The deadline layer, through small drivers that make real node:http requests to a local server that
 * stalls, trickles or streams at a steady rate (STATESTORE_TIMEOUT=0.2: a 0.6 s request deadline, at least
 * 205 bytes in every 0.2 s of waiting). A call fails at its deadline even when its driver ignores the
 * signal, and the request it made is destroyed (the server sees the connection close); a call that ends
 * leaves no request receiving; a trickling body fails; a long body at a useful rate, a slow reader and a
 * steady upload do not. The wrapper is transparent to everything else.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemfsBackend, collect, isTransient, type Backend, type ListPage, type ReadResult } from '../src/index.js';
import { deadlinesFrom, unwrapBackend, withDeadlines } from '../src/driver-kit/index.js';

const deadlines = deadlinesFrom({ STATESTORE_TIMEOUT: '0.2' });
/** For the body that must never be cut: the same rules, scaled up so that only the rules decide, not the load. */
const patient = deadlinesFrom({ STATESTORE_TIMEOUT: '1' });
const STEADY_CHUNKS = 80;
let server: http.Server;
let base: string;
/** Resolves when the server sees the connection of the next request close. */
let nextClose: Promise<void>;
let onClose: () => void;
const expectClose = () => (nextClose = new Promise<void>((resolve) => (onClose = resolve)));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const socket: Socket = req.socket;
    socket.once('close', () => onClose?.());
    if (req.url === '/stall') return;
    if (req.url === '/trickle') {
      res.writeHead(200, { 'content-length': '100000' });
      const t = setInterval(() => res.write('x'), 20);
      socket.once('close', () => clearInterval(t));
      return;
    }
    // /steady: 64 KiB every 50 ms for four seconds, 5 MiB in all: over three times the request deadline of
    // `patient` (1 s), whose 1 s window lets a loaded machine pause this process's timers for most of a second.
    res.writeHead(200, { 'content-length': String(STEADY_CHUNKS * 65536) });
    let sent = 0;
    const t = setInterval(() => {
      res.write(Buffer.alloc(65536, sent));
      if (++sent === STEADY_CHUNKS) {
        clearInterval(t);
        res.end();
      }
    }, 50);
    socket.once('close', () => clearInterval(t));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Starts a GET and resolves with the response (its body still arriving). */
function get(path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(`${base}${path}`, resolve).on('error', reject));
}

/** A driver over memfs whose stat, list and read talk to the test server as told. */
function driver(behaviour: { stat?: () => Promise<undefined>; list?: () => Promise<ListPage>; read?: () => Promise<ReadResult> }): Backend {
  const memfs = new MemfsBackend();
  return Object.assign(Object.create(memfs) as Backend, { ...behaviour, extra: 'kept' });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('the deadline layer', () => {
  it('fails a call at its deadline even when the driver ignores the signal, and destroys its request', async () => {
    expectClose();
    const backend = withDeadlines(driver({ stat: () => get('/stall').then(() => new Promise<undefined>(() => undefined)) }), deadlines);
    const e = await failure(backend.stat('k'));
    expect(isTransient(e)).toBe(true);
    expect(String(e)).toContain('no complete answer within 0.6 s');
    await nextClose;
  });

  it('destroys a request a finished call left receiving, so no socket keeps the process alive', async () => {
    expectClose();
    const backend = withDeadlines(driver({ list: () => get('/trickle').then(() => ({ objects: [], prefixes: [] })) }), deadlines);
    expect(await backend.list('')).toEqual({ objects: [], prefixes: [] });
    await nextClose;
  });

  it('fails a trickling body (a byte every 20 ms is under the minimum rate) and destroys its request', async () => {
    expectClose();
    const backend = withDeadlines(driver({ read: async () => ({ info: { key: 'k', size: 100000, version: '1' }, body: await get('/trickle') }) }), deadlines);
    const { body } = await backend.read('k');
    const e = await failure(collect(body));
    expect(isTransient(e)).toBe(true);
    expect(String(e)).toContain('less than 205 bytes in 0.2 s of waiting');
    await nextClose;
  });

  it('never cuts a long body that moves at a useful rate, nor one whose reader is slow', async () => {
    const backend = withDeadlines(driver({ read: async () => ({ info: { key: 'k', size: STEADY_CHUNKS * 65536, version: '1' }, body: await get('/steady') }) }), patient);
    expect((await collect((await backend.read('k')).body)).byteLength).toBe(STEADY_CHUNKS * 65536);
    const fast = withDeadlines(new MemfsBackend(), deadlines);
    await fast.write('big', new Uint8Array(3 * 65536));
    let chunks = 0;
    for await (const _ of (await fast.read('big')).body) {
      chunks++;
      await new Promise((r) => setTimeout(r, 2 * deadlines.throughput.windowMs)); // a reader slower than the window
    }
    expect(chunks).toBeGreaterThan(0);
  });

  it('aborts a streamed upload whose driver stops taking bytes, and lets a steady one finish', async () => {
    const stuck = withDeadlines(
      Object.assign(Object.create(new MemfsBackend()) as Backend, {
        write: async (_key: string, body: AsyncIterable<Uint8Array>, options: { signal?: AbortSignal }) => {
          for await (const _ of body) await new Promise((_r, reject) => options.signal!.addEventListener('abort', () => reject(options.signal!.reason)));
          throw new Error('unreachable');
        },
      }),
      deadlines,
    );
    async function* chunks(n: number) {
      for (let i = 0; i < n; i++) yield new Uint8Array(65536);
    }
    const e = await failure(stuck.write('k', chunks(4)));
    expect(isTransient(e)).toBe(true);
    const memfs = withDeadlines(new MemfsBackend(), deadlines);
    expect((await memfs.write('k', chunks(16))).size).toBe(16 * 65536);
  });

  it('is transparent: the driver’s own properties, one wrapper per driver, unwrapBackend', () => {
    const inner = driver({});
    const wrapped = withDeadlines(inner, deadlines);
    expect((wrapped as Backend & { extra: string }).extra).toBe('kept');
    expect(wrapped.capabilities).toBe(inner.capabilities);
    expect(wrapped).toBeInstanceOf(MemfsBackend);
    expect(withDeadlines(inner, deadlines)).toBe(wrapped);
    expect(withDeadlines(wrapped, deadlines)).toBe(wrapped);
    expect(unwrapBackend(wrapped)).toBe(inner);
  });
});
