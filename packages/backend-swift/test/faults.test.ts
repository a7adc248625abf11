/**
 * Faults between the client and the real Swift (testkit's fault proxy: resets, 500/503, lost responses,
 * bodies cut mid-way). The driver maps each to TransientError, core retries, and every operation still
 * ends with the right result. tempauth's storage URL follows the Host header, so all traffic, auth included,
 * goes through the proxy.
 */
import { startFaultProxy } from '@statestore/testkit/fault-proxy';
import { describe, expect, inject, it } from 'vitest';
import { createContainer, newContainer, openSwift, tempauthEnv } from './helpers.js';

describe('faults', () => {
  it('writes, creates, reads, lists and removes survive resets, 5xx, lost responses and cut bodies', async () => {
    const proxy = await startFaultProxy({
      target: inject('swift').proxyUrl,
      seed: 7,
      rates: { resetBeforeForward: 0.05, error500: 0.05, error503: 0.05, lostResponse: 0.05, cutBody: 0.08 },
    });
    try {
      const env = { ...tempauthEnv(), OS_AUTH_URL: `${proxy.url}/auth/v1.0` };
      const container = newContainer('faults');
      await createContainer(container);
      const root = await openSwift(`swift://${container}/`, env, { listPageSize: 5 });
      const names = Array.from({ length: 30 }, (_, i) => `f${String(i).padStart(2, '0')}`);
      for (const n of names.slice(0, 20)) await root.join('w', n).writeFile(`content of ${n} `.repeat(20));
      for (const n of names.slice(20)) await root.join('w', n).createFile(`content of ${n} `.repeat(20));
      for (const n of names) expect(await root.join('w', n).readText()).toBe(`content of ${n} `.repeat(20));
      expect((await root.join('w').readDir()).map((e) => e.name)).toEqual(names);
      expect(await root.join('w').removeAll()).toBe(names.length);
      expect(await root.readTree()).toEqual([]);
      const { counts } = proxy;
      process.stderr.write(`[swift] fault proxy: ${JSON.stringify(counts)}\n`);
      for (const kind of ['resetBeforeForward', 'error500', 'error503', 'lostResponse', 'cutBody'] as const) expect(counts[kind]).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });
});
