/**
 * A history store elsewhere on memfs: the journal is kept there and nowhere in the state store, which records it in
 * .statestore/history.json so that a writer not told about it finds it; with the state store's contents gone
 * (history.json included), undelete given the history store restores every file byte for byte; a history store
 * other than the recorded one, or inside the state store, is refused.
 */
import { describe, expect, it } from 'vitest';
import { MemfsBackend, Operation, pathForBackend, readHistory, readHistorySettings, type VfsPath } from '../../src/index.js';
import { undelete } from '../../src/config-entry.js';
import { DelegatingBackend } from '../delegating-backend.js';
import { asRevision, newStore, quiet, treeHashes } from './history-helpers.js';

const noLease = <T>(_cluster: string, fn: () => Promise<T>) => fn();

function twoStores() {
  const memfs = new MemfsBackend();
  const store = pathForBackend(memfs, 'state', { logger: quiet });
  const history = pathForBackend(new MemfsBackend(), 'history', { logger: quiet });
  return { memfs, store, history, open: async (url: string) => (url === history.toString() ? history : Promise.reject(new Error(`unexpected ${url}`))) };
}

async function write(store: VfsPath, options: ConstructorParameters<typeof Operation>[1], fn: (s: VfsPath) => Promise<unknown>): Promise<void> {
  const op = new Operation(store, options);
  await fn(op.track(store));
}

describe('a history store elsewhere', () => {
  it('keeps the journal there, is found by every writer through history.json, and undelete works from it when the state store is emptied', async () => {
    const { memfs, store, history, open } = twoStores();
    await write(store, { historyStore: history, attribution: { user: 'alice' } }, async (s) => {
      await s.join('c', 'config').createFile('spec: 1\n');
      await s.join('c', 'pki', 'private', 'ca', 'keyset.yaml').writeFile(new Uint8Array([0, 1, 255]));
    });
    expect((await readHistorySettings(store)).store).toBe(history.toString());
    expect(await store.join('.statestore', 'history').readTree({})).toEqual([]);
    // A writer not told about the history store finds it in history.json.
    await write(store, { open, attribution: { user: 'bob' } }, (s) => s.join('c', 'config').writeFile('spec: 2\n'));
    expect((await readHistory(store, 'c', { open })).revisions.map((r) => r.attribution?.user)).toEqual(['bob', 'alice']);
    const before = await treeHashes(store.join('c'));

    for (const key of (await memfs.list('')).objects.map((o) => o.key)) await memfs.delete(key);
    expect((await memfs.list('')).objects).toEqual([]);
    await undelete(store, 'c', { historyStore: history, withLease: noLease });
    expect(await treeHashes(store.join('c'))).toEqual(before);
    expect((await readHistorySettings(store)).store).toBe(history.toString());
  });

  it('refuses a history store other than the recorded one, and one inside the state store', async () => {
    const { store, history } = twoStores();
    await write(store, { historyStore: history }, (s) => s.join('c', 'config').createFile('x'));
    const other = pathForBackend(new MemfsBackend(), 'other', { logger: quiet });
    await expect(readHistory(store, 'c', { historyStore: other })).rejects.toMatchObject({ code: 'InvalidConfig', message: expect.stringContaining(history.toString()) });
    await expect(readHistory(store, 'c', { historyStore: store.join('h') })).rejects.toMatchObject({ code: 'InvalidConfig', message: expect.stringContaining('inside or around') });
  });

  it('concurrent first reads of a cluster share one look at the journal (its newest entry is read once)', async () => {
    const { store } = newStore();
    const backend = store.backend as DelegatingBackend;
    await asRevision(store, { user: 'a' }, async (s) => {
      await s.join('c', 'config').createFile('x');
      await s.join('c', 'instancegroup', 'a').createFile('a');
      await s.join('c', 'instancegroup', 'b').createFile('b');
    });
    backend.calls = [];
    const op = new Operation(store, { attribution: { user: 'b' } });
    const tracked = op.track(store);
    await Promise.all(['config', 'instancegroup/a', 'instancegroup/b'].map((p) => tracked.join('c', p).readText()));
    expect(backend.calls.filter((c) => c.startsWith('list ') && c.includes('/.statestore/history/c/log/'))).toHaveLength(1);
  });
});
