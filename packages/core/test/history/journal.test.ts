/**
 * The journal on memfs: each operation is one revision with its attribution; writes made around Statestore are
 * "outside Statestore" when first seen; the state at every revision reads back byte for byte; the reserved
 * folder stays out of listings and sync; reads never write; STATESTORE_HISTORY=off is recorded in the store.
 */
import { describe, expect, it } from 'vitest';
import { Operation, openRevision, readHistory, readHistorySettings, resolveRevision, sha256Hex, sync, type Attribution } from '../../src/index.js';
import { asRevision, newStore, quiet, treeHashes } from './history-helpers.js';

const alice: Attribution = { user: 'alice', host: 'laptop', command: 'statestore create cluster c', message: 'first' };
const bob: Attribution = { actor: 'ci-bot', command: 'statestore set cluster c spec.x=1', message: 'bump' };

describe('the journal', () => {
  it('records each operation as one revision, newest first, with who and why and the files it changed', async () => {
    const { store } = newStore();
    const first = await asRevision(store, alice, async (s) => {
      await s.join('c', 'config').createFile('kind: Cluster\n');
      await s.join('c', 'instancegroup', 'nodes').createFile('kind: InstanceGroup\n');
      await s.join('c', 'pki', 'private', 'ca', 'keyset.yaml').writeFile('secret key material');
    });
    const second = await asRevision(store, bob, async (s) => {
      await s.join('c', 'config').updateFile(() => 'kind: Cluster\nspec: {x: 1}\n');
      await s.join('c', 'instancegroup', 'nodes').remove();
    });
    const view = await readHistory(store, 'c');
    expect(view.mode).toBe('on');
    expect(view.unrecorded).toEqual([]);
    expect(view.revisions.map((r) => [r.id, r.index, r.kind, r.attribution?.message])).toEqual([
      [second, 0, 'statestore', 'bump'],
      [first, 1, 'statestore', 'first'],
    ]);
    expect(view.revisions[0]!.files).toEqual([
      { path: 'config', change: 'changed' },
      { path: 'instancegroup/nodes', change: 'removed' },
    ]);
    expect(view.revisions[1]!.files.map((f) => `${f.change} ${f.path}`)).toEqual(['added config', 'added instancegroup/nodes', 'added pki/private/ca/keyset.yaml']);
    expect(view.revisions[0]!.attribution).toEqual(bob);
    expect((await resolveRevision(store, 'c', '@-1')).id).toBe(first);
    expect((await resolveRevision(store, 'c', second.slice(0, 5))).id).toBe(second);
  });

  it('a write around Statestore is seen as "outside Statestore" by history (which writes nothing) and recorded by the next write', async () => {
    const { store, backend } = newStore();
    await asRevision(store, alice, (s) => s.join('c', 'config').createFile('v1').then(() => undefined));
    await store.join('c', 'config').writeFile('v2 by kops');
    await store.join('c', 'secrets', 'admin').writeFile('{"Data":"x"}');
    const writesBefore = backend.calls.filter((c) => c.startsWith('write')).length;
    const seen = await readHistory(store, 'c');
    expect(backend.calls.filter((c) => c.startsWith('write')).length).toBe(writesBefore);
    expect(seen.unrecorded).toHaveLength(1);
    expect(seen.unrecorded[0]).toMatchObject({ kind: 'outside', files: [{ path: 'config', change: 'changed' }, { path: 'secrets/admin', change: 'added' }] });
    expect(seen.revisions).toHaveLength(1);

    const third = await asRevision(store, bob, (s) => s.join('c', 'config').writeFile('v3').then(() => undefined));
    const after = await readHistory(store, 'c');
    expect(after.unrecorded).toEqual([]);
    expect(after.revisions.map((r) => [r.kind, r.attribution?.message ?? null, r.files.map((f) => f.path).join(',')])).toEqual([
      ['statestore', 'bump', 'config'],
      ['outside', null, 'config,secrets/admin'],
      ['statestore', 'first', 'config'],
    ]);
    expect(after.revisions[0]!.id).toBe(third);
    // The outside revision's content can be read back: it was stored when it was recorded.
    const { root } = await openRevision(store, 'c', '@-1');
    expect(await root.join('c', 'config').readText()).toBe('v2 by kops');
    expect(await root.join('c', 'secrets', 'admin').readText()).toBe('{"Data":"x"}');
  });

  it('a cluster written before the journal existed is recorded whole, as outside Statestore, at the first write', async () => {
    const { store } = newStore();
    await store.join('c', 'config').writeFile('kops wrote this');
    await store.join('c', 'instancegroup', 'nodes').writeFile('ig');
    await asRevision(store, bob, (s) => s.join('c', 'instancegroup', 'nodes').writeFile('ig v2').then(() => undefined));
    const { revisions } = await readHistory(store, 'c');
    expect(revisions.map((r) => r.kind)).toEqual(['statestore', 'outside']);
    const { root } = await openRevision(store, 'c', '@-1');
    expect(await treeHashes(root.join('c'))).toEqual({ config: sha256Hex(new TextEncoder().encode('kops wrote this')), 'instancegroup/nodes': sha256Hex(new TextEncoder().encode('ig')) });
  });

  it('every revision reads back byte for byte; the journal hides itself from listings and sync, and no key ends in /config but the cluster\'s', async () => {
    const { store } = newStore();
    const states: Record<string, string>[] = [];
    const bytes = new Uint8Array([0, 255, 10, 13, 0x80]);
    await asRevision(store, alice, async (s) => {
      await s.join('c', 'config').createFile('a');
      await s.join('c', 'pki', 'issued', 'ca', 'keyset.yaml').writeFile(bytes);
    });
    states.unshift(await treeHashes(store.join('c')));
    await asRevision(store, bob, (s) => s.join('c', 'config').writeFile('b').then(() => undefined));
    states.unshift(await treeHashes(store.join('c')));
    await asRevision(store, bob, (s) => s.join('c').removeAll().then(() => undefined));
    states.unshift(await treeHashes(store.join('c')));
    expect(states[0]).toEqual({});
    for (const [i, state] of states.entries()) {
      const { root } = await openRevision(store, 'c', `@-${i}`);
      expect(await treeHashes(root.join('c'))).toEqual(state);
    }
    const all = await store.walk({ includeInternal: true });
    const keys: string[] = [];
    for await (const p of all) keys.push(p.relativeTo(store)!);
    expect(keys.some((k) => k.startsWith('.statestore/history/c/log/'))).toBe(true);
    expect(keys.filter((k) => k === 'config' || k.endsWith('/config'))).toEqual([]);
    expect((await store.readDir()).map((e) => e.name)).toEqual([]);
    const copy = (await newStore()).store;
    await sync(store, copy);
    expect(await copy.readTree()).toEqual([]);
  });

  it('STATESTORE_HISTORY=off is recorded in the store, so every later writer journals nothing until it is turned on again', async () => {
    const { store } = newStore();
    const off = new Operation(store, { attribution: alice, history: 'off', logger: quiet });
    await off.track(store).join('c', 'config').writeFile('written while off');
    expect((await readHistorySettings(store)).journal).toBe('off');
    await new Operation(store, { attribution: bob }).track(store).join('c', 'config').writeFile('still off');
    expect(await store.join('.statestore', 'history', 'c').readTree()).toEqual([]);
    const on = new Operation(store, { attribution: bob, history: 'on' });
    await on.track(store).join('c', 'config').writeFile('on again');
    const { mode, revisions } = await readHistory(store, 'c');
    expect(mode).toBe('on');
    expect(revisions.map((r) => r.kind)).toEqual(['statestore', 'outside']);
  });

  it('an operation that only reads writes nothing, not even the mode it was asked for', async () => {
    const { store, backend } = newStore();
    await asRevision(store, alice, (s) => s.join('c', 'config').createFile('v1').then(() => undefined));
    await store.join('c', 'config').writeFile('v2 by kops');
    const writes = backend.calls.filter((c) => c.startsWith('write')).length;
    const reader = new Operation(store, { attribution: bob, history: 'off' });
    expect(await reader.track(store).join('c', 'config').readText()).toBe('v2 by kops');
    expect(backend.calls.filter((c) => c.startsWith('write')).length).toBe(writes);
    expect((await readHistorySettings(store)).journal).toBe('on');
  });

  it('pages: --limit and --from walk the revisions newest first; --file keeps the revisions that changed one file', async () => {
    const { store } = newStore();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.unshift(await asRevision(store, alice, (s) => s.join('c', i % 2 ? 'odd' : 'even').writeFile(String(i)).then(() => undefined)));
    const page1 = await readHistory(store, 'c', { limit: 3 });
    expect(page1.revisions.map((r) => r.id)).toEqual(ids.slice(0, 3));
    expect(page1.next).toBe('@-3');
    const page2 = await readHistory(store, 'c', { limit: 3, from: page1.next! });
    expect(page2.revisions.map((r) => r.id)).toEqual(ids.slice(3, 6));
    const odd = await readHistory(store, 'c', { file: 'odd', limit: 0 });
    expect(odd.revisions.map((r) => r.index)).toEqual([1, 3, 5]);
    await expect(resolveRevision(store, 'c', '@-7')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(resolveRevision(store, 'c', 'HEAD~1')).rejects.toMatchObject({ code: 'InvalidConfig' });
  });
});
