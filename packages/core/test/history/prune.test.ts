/**
 * history prune on memfs: the oldest revisions go with the blobs only they needed; every kept revision can still be
 * rolled back to byte for byte (its files' blobs were written by revisions that were pruned); a kept deletion can
 * still be undone; an intent newer than the newest entry (a write that landed without its log entry) is kept, so
 * it is still shown as unconfirmed and attributed; the newest revision is never pruned.
 */
import { describe, expect, it } from 'vitest';
import { MemfsBackend, Operation, PermissionDeniedError, pathForBackend, readHistory, type VfsPath, type WriteBody, type WriteOptions } from '../../src/index.js';
import { pruneHistory, rollback, undelete } from '../../src/config-entry.js';
import { DelegatingBackend } from '../delegating-backend.js';
import { asRevision, newStore, quiet, treeHashes } from './history-helpers.js';

const who = (message: string) => ({ user: 'tester', message });
const noLease = <T>(_cluster: string, fn: () => Promise<T>) => fn();

/** Four revisions of c: the pki file is written by the first only. Returns the tree after each, newest first. */
async function fourRevisions(store: VfsPath): Promise<Record<string, string>[]> {
  const states: Record<string, string>[] = [];
  const step = async (message: string, fn: (s: VfsPath) => Promise<unknown>) => {
    await asRevision(store, who(message), async (s) => void (await fn(s)));
    states.unshift(await treeHashes(store.join('c')));
  };
  await step('create', async (s) => {
    await s.join('c', 'config').createFile('spec: 1\n');
    await s.join('c', 'pki', 'private', 'ca', 'keyset.yaml').writeFile(new Uint8Array([1, 2, 3, 0, 255]));
  });
  await step('set 2', (s) => s.join('c', 'config').writeFile('spec: 2\n'));
  await step('set 3', (s) => s.join('c', 'config').writeFile('spec: 3\n'));
  await step('set 4', (s) => s.join('c', 'config').writeFile('spec: 4\n'));
  return states;
}

async function blobNames(store: VfsPath): Promise<string[]> {
  return (await store.join('.statestore', 'history', 'c', 'blobs').readTree({})).map((p) => p.base()).sort();
}

describe('history prune', () => {
  it('--keep N keeps the newest N revisions, each still restorable byte for byte, and removes the blobs only pruned ones needed', async () => {
    const { store } = newStore();
    const states = await fourRevisions(store);
    const before = await blobNames(store);
    const report = await pruneHistory(store, 'c', { keep: 2, withLease: noLease });
    expect(report).toMatchObject({ kept: [expect.any(String), expect.any(String)], pruned: [expect.any(String), expect.any(String)], removed: { entries: 3, blobs: 1 } }); // the first revision wrote two files: two entries
    const after = await blobNames(store);
    expect(after).toHaveLength(before.length - 1); // "spec: 1" is gone; "spec: 2" is the kept revision's "before"
    expect((await readHistory(store, 'c', { limit: 0 })).revisions.map((r) => r.attribution?.message)).toEqual(['set 4', 'set 3']);
    await rollback(store, 'c', '@-1', { operation: new Operation(store, { attribution: who('back') }), withLease: noLease });
    expect(await treeHashes(store.join('c'))).toEqual(states[1]); // the pki file's blob was written by the pruned first revision
    await expect(rollback(store, 'c', '@-3', { withLease: noLease })).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('--older-than prunes what was recorded before the cut-off, never the newest revision', async () => {
    const { store } = newStore();
    await fourRevisions(store);
    const later = () => new Date(Date.now() + 3_600_000);
    const report = await pruneHistory(store, 'c', { olderThanMs: 60_000, now: later, withLease: noLease });
    expect(report.kept).toHaveLength(1);
    expect(report.pruned).toHaveLength(3);
    const none = await pruneHistory(store, 'c', { olderThanMs: 60_000, withLease: noLease });
    expect(none).toMatchObject({ pruned: [], removed: { entries: 0, intents: 0, blobs: 0 } });
  });

  it('a kept deletion can still be undone: its files were written by pruned revisions', async () => {
    const { store } = newStore();
    const states = await fourRevisions(store);
    await asRevision(store, who('delete cluster'), async (s) => void (await s.join('c').removeAll()));
    await pruneHistory(store, 'c', { keep: 1, withLease: noLease });
    await undelete(store, 'c', { withLease: noLease });
    expect(await treeHashes(store.join('c'))).toEqual(states[0]);
  });

  it('--dry-run reports and removes nothing', async () => {
    const { store } = newStore();
    await fourRevisions(store);
    const before = await blobNames(store);
    expect((await pruneHistory(store, 'c', { keep: 1, dryRun: true, withLease: noLease })).removed.entries).toBe(4);
    expect(await blobNames(store)).toEqual(before);
    expect((await readHistory(store, 'c', { limit: 0 })).revisions).toHaveLength(4);
  });

  it('keeps an intent newer than the newest entry (a write that landed without its log entry): it still shows as unconfirmed, attributed', async () => {
    class FailingLog extends DelegatingBackend {
      failLog = false;
      override async write(key: string, body: WriteBody, options: WriteOptions = {}) {
        if (this.failLog && /\.statestore\/history\/c\/log\//.test(key)) throw new PermissionDeniedError('AccessDenied (injected)');
        return super.write(key, body, options);
      }
    }
    const backend = new FailingLog(new MemfsBackend());
    const store = pathForBackend(backend, 'store', { logger: quiet, retry: { maxAttempts: 1 } });
    await fourRevisions(store);
    backend.failLog = true;
    const carol = { user: 'carol', message: 'risky' };
    await new Operation(store, { attribution: carol }).track(store).join('c', 'config').writeFile('spec: 5\n');
    backend.failLog = false;
    await pruneHistory(store, 'c', { keep: 1, withLease: noLease });
    const seen = await readHistory(store, 'c');
    expect(seen.unrecorded).toEqual([expect.objectContaining({ kind: 'unconfirmed', attribution: carol, files: [{ path: 'config', change: 'changed' }] })]);
  });

  it('refuses --keep 0 and a prune with neither limit', async () => {
    const { store } = newStore();
    expect(() => pruneHistory(store, 'c', { keep: 0 })).toThrow(/at least 1/);
    expect(() => pruneHistory(store, 'c', {})).toThrow(/--keep N or --older-than/);
  });
});
