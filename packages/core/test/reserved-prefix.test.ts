/**
 * What Statestore keeps for itself in a store — `.statestore/` at the root (leases), lock objects and the
 * folders of candidates below them — is hidden from listings and from sync, unless the listing is inside it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolvePath, sync } from '../src/index.js';

const quiet = { log: () => undefined };

describe('the reserved prefix', () => {
  it('readDir, readTree and sync --delete leave .statestore/ and lock folders alone; a listing inside shows them', async () => {
    const store = await resolvePath(`memfs://reserved-${randomUUID()}/store`, { logger: quiet });
    await store.join('c.example.com', 'config').writeFile('kind: Cluster');
    await store.join('.statestore', 'leases', 'c.example.com').writeFile('{}');
    await store.join('c.example.com', 'config.statestore-lock', 'ticket-000000000001-x').writeFile('{}');
    expect((await store.readDir()).map((e) => e.name)).toEqual(['c.example.com']);
    expect((await store.join('c.example.com').readDir()).map((e) => e.name)).toEqual(['config']);
    expect((await store.readTree()).map((p) => p.relativeTo(store))).toEqual(['c.example.com/config']);
    expect((await store.join('.statestore', 'leases').readDir()).map((e) => e.name)).toEqual(['c.example.com']);
    expect((await store.join('c.example.com', 'config.statestore-lock').readTree()).map((p) => p.base())).toEqual(['ticket-000000000001-x']);

    const copy = await resolvePath(`memfs://reserved-${randomUUID()}/copy`, { logger: quiet });
    await copy.join('.statestore', 'leases', 'other').writeFile('{}');
    await sync(store, copy, { delete: true });
    expect((await copy.readTree()).map((p) => p.relativeTo(copy))).toEqual(['c.example.com/config']);
    expect(await copy.join('.statestore', 'leases', 'other').exists()).toBe(true);
    expect(await copy.join('.statestore', 'leases', 'c.example.com').exists()).toBe(false);
  });
});
