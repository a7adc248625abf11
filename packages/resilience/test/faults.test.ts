/**
 * Through the fault proxy, against real servers (MinIO, fake-gcs-server and kube-apiserver): reads, writes, listings and
 * sync complete with retries and lose nothing; a create whose response was lost is settled by comparing
 * content; an update whose response was lost is not applied twice; attempts are bounded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { isTransient, resolvePath, sync } from '@statestore/core';
import { startFaultProxy, type FaultProxy } from '@statestore/testkit/fault-proxy';
import { createBucket, directCa, directEndpoint, open, type ServiceName } from './support/stores.js';

const totals = { faults: 0, operations: 0, bytesVerified: 0 };
const retry = { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 50, deadlineMs: 60_000 };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const faultCount = (p: FaultProxy) => p.counts.resetBeforeForward + p.counts.error500 + p.counts.error503 + p.counts.lostResponse + p.counts.cutBody;

afterAll(() => {
  process.stderr.write(`[resilience] faults injected: ${totals.faults}, operations completed: ${totals.operations}, bytes verified: ${totals.bytesVerified}, lost: 0\n`);
});

const SEEDS: Record<ServiceName, number> = { s3: 1234, gs: 5678, k8s: 2626 };
/** The proxy in front of the service's real server. */
const proxyFor = (service: ServiceName, options: Omit<Parameters<typeof startFaultProxy>[0], 'target'>) => {
  const ca = directCa(service);
  return startFaultProxy({ target: directEndpoint(service), ...(ca ? { targetCa: ca } : {}), ...options });
};

describe.each<ServiceName>(['s3', 'gs', 'k8s'])('faults against %s', (service) => {
  it('writes, reads, listings and sync complete through resets, 500/503, lost responses and cut bodies', async () => {
    const bucket = await createBucket(service);
    const proxy = await proxyFor(service, {
      seed: SEEDS[service],
      rates: { resetBeforeForward: 0.05, error500: 0.05, error503: 0.05, lostResponse: 0.05, cutBody: 0.05, latency: 0.2, maxLatencyMs: 30 },
    });
    try {
      const root = await open(service, bucket, 'cluster.example.com', proxy.url, { retry });
      const files = new Map<string, Uint8Array>();
      for (let i = 0; i < 40; i++) files.set(`instancegroup/ig-${i}`, randomBytes(512 + i * 97));
      files.set('config', new TextEncoder().encode('apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\n'));
      await Promise.all([...files].map(([k, v]) => root.join(k).writeFile(v)));
      for (const [k, v] of files) {
        const got = await root.join(k).readFile();
        expect(sha(got)).toBe(sha(v));
        totals.bytesVerified += got.byteLength;
      }
      const listed = (await root.readTree()).map((p) => p.relativeTo(root)).sort();
      expect(listed).toEqual([...files.keys()].sort());
      const copy = await resolvePath(`memfs://resilience-${service}-${bucket}`);
      const summary = await sync(root, copy, { transfers: 8 });
      expect(summary.errors).toEqual([]);
      for (const [k, v] of files) expect(sha(await copy.join(k).readFile())).toBe(sha(v));
      totals.operations += files.size * 2 + 2;
      expect(faultCount(proxy)).toBeGreaterThan(5);
      totals.faults += faultCount(proxy);
    } finally {
      await proxy.close();
    }
  });

  it('a create whose response was lost, and whose retry meets a precondition failure, is settled by comparing content', async () => {
    const bucket = await createBucket(service);
    let firstPut = true;
    const proxy = await proxyFor(service, {
      seed: 7,
      rates: { lostResponse: 1 },
      eligible: (req) => {
        // A k8s:// create is a POST to the namespace's secrets.
        const isWrite = req.method === 'PUT' || (req.method === 'POST' && /\/upload\/|\/secrets$/.test(req.url ?? ''));
        if (!isWrite || !firstPut) return false;
        firstPut = false;
        return true;
      },
    });
    try {
      const f = await open(service, bucket, 'c/config', proxy.url, { retry });
      await f.createFile('mine');
      expect(proxy.counts.lostResponse).toBe(1);
      expect(await f.readText()).toBe('mine');
      // And a create that genuinely lost is still AlreadyExists, with the other content intact.
      await expect(f.createFile('someone else')).rejects.toMatchObject({ code: 'AlreadyExists' });
      expect(await f.readText()).toBe('mine');
      totals.faults += 1;
      totals.operations += 3;
    } finally {
      await proxy.close();
    }
  });

  it('an updateFile whose response was lost does not apply its change twice', async () => {
    const bucket = await createBucket(service);
    const direct = await open(service, bucket, 'c/counter');
    await direct.writeFile('0');
    let armed = false;
    const proxy = await proxyFor(service, {
      seed: 9,
      rates: { lostResponse: 1 },
      eligible: (req) => {
        // A k8s:// compare-and-swap is a PUT whose body carries the resourceVersion.
        const conditional = req.headers['if-match'] !== undefined || /ifGenerationMatch=[1-9]/.test(req.url ?? '') || (service === 'k8s' && req.method === 'PUT');
        if (!armed || !conditional) return false;
        armed = false;
        return true;
      },
    });
    try {
      const f = await open(service, bucket, 'c/counter', proxy.url, { retry });
      armed = true;
      let rounds = 0;
      await f.updateFile((cur) => {
        rounds++;
        return String(Number(new TextDecoder().decode(cur)) + 1);
      });
      expect(proxy.counts.lostResponse).toBe(1);
      expect(await direct.readText()).toBe('1');
      expect(rounds).toBe(1);
      totals.faults += 1;
      totals.operations += 1;
    } finally {
      await proxy.close();
    }
  });

  it('attempts are bounded: a server that always answers 503 gets exactly maxAttempts requests, then a Transient error', async () => {
    const bucket = await createBucket(service);
    const proxy = await proxyFor(service, { seed: 3, rates: { error503: 1 } });
    try {
      const f = await open(service, bucket, 'c/config', proxy.url, { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, deadlineMs: 10_000 } });
      const before = proxy.counts.requests;
      const e = await f.readFile().catch((x) => x);
      expect(isTransient(e), String(e)).toBe(true);
      expect(e.message).toContain(f.toString());
      expect(proxy.counts.requests - before).toBe(4);
      totals.faults += 4;
    } finally {
      await proxy.close();
    }
  });
});
