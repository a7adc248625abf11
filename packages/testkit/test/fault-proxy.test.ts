import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../src/fault-proxy.js';

let server: http.Server;
let target = '';
let applied = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'PUT') applied++;
      const body = 'x'.repeat(1000);
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function outcome(url: string, method = 'GET'): Promise<string> {
  try {
    const res = await fetch(url, { method, body: method === 'PUT' ? 'data' : undefined, signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return res.status === 200 ? `200:${text.length}` : String(res.status);
  } catch {
    return 'error';
  }
}

describe('fault proxy', () => {
  it('injects each kind of fault, and the same seed gives the same schedule', async () => {
    const schedules: string[][] = [];
    for (let round = 0; round < 2; round++) {
      const proxy = await startFaultProxy({ target, seed: 42, rates: { resetBeforeForward: 0.15, error500: 0.15, error503: 0.15, lostResponse: 0.15, cutBody: 0.15 } });
      const seen: string[] = [];
      for (let i = 0; i < 60; i++) seen.push(await outcome(`${proxy.url}/k${i}`));
      schedules.push(seen);
      expect(proxy.counts.requests).toBe(60);
      for (const kind of ['resetBeforeForward', 'error500', 'error503', 'lostResponse', 'cutBody'] as const) expect(proxy.counts[kind]).toBeGreaterThan(0);
      expect(seen).toContain('500');
      expect(seen).toContain('503');
      expect(seen).toContain('error');
      expect(seen).toContain('200:1000');
      await proxy.close();
    }
    expect(schedules[0]).toEqual(schedules[1]);
  });
  it('a lost response means the server applied the request but the client saw an error', async () => {
    const proxy = await startFaultProxy({ target, seed: 1, rates: { lostResponse: 1 } });
    const before = applied;
    expect(await outcome(`${proxy.url}/x`, 'PUT')).toBe('error');
    expect(applied).toBe(before + 1);
    await proxy.close();
  });
  it('refuses to forward anywhere but loopback', async () => {
    await expect(startFaultProxy({ target: 'http://10.0.0.1:9000', seed: 1, rates: {} })).rejects.toThrow(/loopback/);
  });
});
