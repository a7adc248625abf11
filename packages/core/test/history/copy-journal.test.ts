/**
 * Carrying a cluster's journal to another store (migrate --with-history) on memfs: the same revisions there, a
 * rollback there restores byte for byte, the first write there records no change of content; a copy run again
 * copies nothing; a destination whose journal has moved on is refused (two histories are never interleaved).
 */
import { describe, expect, it } from 'vitest';
import { MemfsBackend, Operation, pathForBackend, readHistory } from '../../src/index.js';
import { copyJournal, sync } from '../../src/sync-entry.js';
import { rollback } from '../../src/config-entry.js';
import { asRevision, newStore, quiet, treeHashes } from './history-helpers.js';

const noLease = <T>(_cluster: string, fn: () => Promise<T>) => fn();

describe('copyJournal', () => {
  it('carries the revisions; rollback works in the new store; a second copy copies nothing; a journal that moved on is refused', async () => {
    const { store } = newStore();
    await asRevision(store, { user: 'a' }, async (s) => void (await s.join('c', 'config').createFile('spec: 1\n')));
    const first = await treeHashes(store.join('c'));
    await asRevision(store, { user: 'b' }, async (s) => void (await s.join('c', 'config').writeFile('spec: 2\n')));
    const target = pathForBackend(new MemfsBackend(), 'new', { logger: quiet });
    await sync(store.join('c'), target.join('c'));

    expect((await copyJournal(store, 'c', target)).copied).toBeGreaterThan(0);
    const ids = async (s: typeof store) => (await readHistory(s, 'c', { limit: 0 })).revisions.map((r) => r.id);
    expect(await ids(target)).toEqual(await ids(store));
    expect((await readHistory(target, 'c')).unrecorded).toEqual([]); // new version tokens, same content: no change
    expect((await copyJournal(store, 'c', target)).copied).toBe(0);

    await rollback(target, 'c', '@-1', { operation: new Operation(target, { attribution: { user: 'r' } }), withLease: noLease });
    expect(await treeHashes(target.join('c'))).toEqual(first);
    await expect(copyJournal(store, 'c', target)).rejects.toMatchObject({ code: 'InvalidConfig', message: expect.stringContaining('that is not the one in') });
  });
});
