/**
 * The per-cluster lease (config/cluster-lease.ts): where it lives, that it keeps two holders apart and is
 * released, that a process running under it joins it, and that no key of it ever ends in `/config`.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../src/index.js';
import { MemfsBackend, pathForBackend, readCurrentLease, resolvePath } from '../src/index.js';
import { clusterLeasePath, listClusterLeases, withClusterLease } from '../src/config-entry.js';
import { DelegatingBackend } from './delegating-backend.js';

const quiet = { log: () => undefined };
const newStore = () => resolvePath(`memfs://cluster-lease-${randomUUID()}/store`, { logger: quiet, lockLeaseMs: 1_000 });

describe('withClusterLease', () => {
  it('keeps the lease at .statestore/leases/<cluster>, outside the cluster folder, and releases it', async () => {
    const store = await newStore();
    const seen = await withClusterLease(store, 'a.example.com', { command: 'statestore set cluster a.example.com', waitMs: 0 }, async (lease) => {
      const stored = await readCurrentLease(clusterLeasePath(store, 'a.example.com'));
      expect(stored?.record?.id).toBe(lease.record.id);
      return (await listClusterLeases(store)).map((l) => [l.cluster, l.lease.record?.holder.command]);
    });
    expect(clusterLeasePath(store, 'a.example.com').relativeTo(store)).toBe('.statestore/leases/a.example.com');
    expect(seen).toEqual([['a.example.com', 'statestore set cluster a.example.com']]);
    expect(await listClusterLeases(store)).toEqual([]);
    // hidden from the store's listing
    expect((await store.readDir()).map((e) => e.name)).toEqual([]);
  });

  it('runs one holder at a time per cluster; another cluster is not held up', async () => {
    const store = await newStore();
    let atOnce = 0;
    let maxAtOnce = 0;
    const hold = () =>
      withClusterLease(store, 'a.example.com', { waitMs: 30_000 }, async () => {
        maxAtOnce = Math.max(maxAtOnce, ++atOnce);
        await withClusterLease(store, 'b.example.com', { waitMs: 0 }, async () => undefined);
        await new Promise((r) => setTimeout(r, 5));
        atOnce--;
      });
    await Promise.all(Array.from({ length: 10 }, hold));
    expect(maxAtOnce).toBe(1);
  });

  it('a waiter that gives up names the holder and the unlock command for its id', async () => {
    const store = await newStore();
    const error = await withClusterLease(store, 'a.example.com', { command: 'statestore lock run a.example.com -- kops update cluster', waitMs: 0 }, (lease) =>
      withClusterLease(store, 'a.example.com', { waitMs: 100 }, async () => 'ran').catch((e: Error) => ({ e, id: lease.record.id })),
    );
    expect(error).toMatchObject({ e: { code: 'Conflict' } });
    const { e, id } = error as { e: Error; id: string };
    expect(e.message).toContain('"statestore lock run a.example.com -- kops update cluster"');
    expect(e.message).toContain(`statestore unlock a.example.com --id ${id} --state ${store.toString()}`);
  });

  it('joins the lease named by joinId (STATESTORE_LEASE) instead of waiting; a stale id waits as anyone', async () => {
    const store = await newStore();
    await withClusterLease(store, 'a.example.com', { waitMs: 0 }, async (outer) => {
      const inner = await withClusterLease(store, 'a.example.com', { waitMs: 0, joinId: outer.record.id }, async (lease) => {
        await lease.assertHeld();
        return lease.record.id;
      });
      expect(inner).toBe(outer.record.id);
      await expect(withClusterLease(store, 'a.example.com', { waitMs: 0, joinId: 'not-the-holder' }, async () => 'ran')).rejects.toMatchObject({ code: 'Conflict' });
      // the join released nothing
      expect((await readCurrentLease(clusterLeasePath(store, 'a.example.com')))?.record?.id).toBe(outer.record.id);
    });
  });

  it.each([
    ['one lease object (compare-and-swap)', {}],
    ['a folder of candidates (Swift: no atomic operation)', { atomicCreate: false, compareAndSwap: false, conditionalDelete: false }],
  ])('kops sees the same clusters while leases are held: %s', async (_name, caps) => {
    class Narrowed extends DelegatingBackend {
      override get capabilities(): Readonly<Capabilities> {
        return Object.freeze({ ...this.inner.capabilities, ...caps });
      }
    }
    const store = pathForBackend(new Narrowed(new MemfsBackend()), 'state', { logger: quiet, leaseSettleMs: 10 });
    for (const name of ['a.example.com', 'config']) await store.join(name, 'config').writeFile('kind: Cluster');
    // kops lists clusters as every key ending in /config, anywhere below the store
    const kopsClusters = async () => {
      const keys: string[] = [];
      for await (const p of store.walk({ includeInternal: true })) keys.push(p.relativeTo(store)!);
      return keys.filter((k) => k.endsWith('/config')).map((k) => k.slice(0, -'/config'.length)).sort();
    };
    const before = await kopsClusters();
    const during = await withClusterLease(store, 'config', { waitMs: 0 }, () => withClusterLease(store, 'a.example.com', { waitMs: 0 }, kopsClusters));
    expect(before).toEqual(['a.example.com', 'config']);
    expect(during).toEqual(before);
  });

  it('never makes a key that ends in /config (kops would read it as a cluster), nor accepts a path as a name', async () => {
    const store = await newStore();
    expect(clusterLeasePath(store, 'config').relativeTo(store)).toBe('.statestore/leases/config~');
    await withClusterLease(store, 'config', { waitMs: 0 }, async () => {
      expect((await listClusterLeases(store)).map((l) => l.cluster)).toEqual(['config']);
    });
    for (const bad of ['', 'a/b', '.statestore']) expect(() => clusterLeasePath(store, bad)).toThrow(/not a path/);
  });
});
