/** sync(): memfs → file and friends, all in-process. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileBackend, pathForBackend, sync, type SyncEvent, type VfsPath } from '../../src/index.js';
import { FaultyBackend, fileRoot, memfsRoot, randomFiles, tempDir, treeHashes, writeTree } from './helpers.js';

function faultyFileRoot(): { root: VfsPath; faulty: FaultyBackend } {
  const faulty = new FaultyBackend(new FileBackend());
  return { root: pathForBackend(faulty, `${tempDir('faulty').slice(1)}/root`), faulty };
}

describe('sync memfs → file', () => {
  it('copies every file, identical by hash, and a rerun copies nothing (comparing by reading the side without hashes)', async () => {
    const src = await memfsRoot();
    const dst = await fileRoot();
    await writeTree(src, { ...randomFiles(60), 'a b/ünï cödé %2F+#?.txt': 'weird', 'empty': '' });
    const first = await sync(src, dst);
    expect(first.errors).toEqual([]);
    expect(first.copied).toBe(62);
    expect(first.comparisons.missing).toBe(62);
    expect(first.serverSideCopy).toBe(false);
    expect(await treeHashes(dst)).toEqual(await treeHashes(src));

    const second = await sync(src, dst);
    expect(second.copied).toBe(0);
    expect(second.skipped).toBe(62);
    // file:// reports no hash; memfs reports sha256, so only the destination side is read.
    expect(second.comparisons.read).toBe(62);
    expect(second.fallbacks).toEqual(['read']);
  });

  it('detects a change of size, and a change of content at equal size', async () => {
    const src = await memfsRoot();
    const dst = await fileRoot();
    await writeTree(src, { a: 'aaaa', b: 'bbbb', c: 'cccc' });
    await sync(src, dst);
    await writeTree(src, { a: 'aaaaa', b: 'BBBB' });
    const summary = await sync(src, dst);
    expect(summary.copied).toBe(2);
    expect(summary.skipped).toBe(1);
    expect(summary.comparisons.size).toBe(1);
    expect(summary.comparisons.read).toBe(2);
    expect(await dst.join('b').readText()).toBe('BBBB');
    expect(await treeHashes(dst)).toEqual(await treeHashes(src));
  });

  it('streams a file larger than 8 MiB', async () => {
    const src = await memfsRoot();
    const dst = await fileRoot();
    await writeTree(src, { 'big/blob': randomBytes(20 * 1024 * 1024 + 3) });
    const summary = await sync(src, dst);
    expect(summary.bytesCopied).toBe(20 * 1024 * 1024 + 3);
    expect(await treeHashes(dst)).toEqual(await treeHashes(src));
  });

  it('with dryRun reports what it would do and changes nothing', async () => {
    const src = await memfsRoot();
    const dst = await fileRoot();
    await writeTree(src, { a: '1', b: '2' });
    await writeTree(dst, { a: '1', stale: 'x' });
    const summary = await sync(src, dst, { dryRun: true, delete: true });
    expect(summary).toMatchObject({ dryRun: true, copied: 1, skipped: 1, deleted: 1 });
    expect(await treeHashes(dst)).toEqual(await treeHashes(await seeded({ a: '1', stale: 'x' })));
  });
});

async function seeded(files: Record<string, string>): Promise<VfsPath> {
  const root = await memfsRoot();
  await writeTree(root, files);
  return root;
}

describe('sync memfs → memfs', () => {
  it('compares by the listings’ hashes and copies inside the service', async () => {
    const src = await memfsRoot();
    const dst = await memfsRoot();
    await writeTree(src, randomFiles(20));
    const first = await sync(src, dst);
    expect(first.serverSideCopy).toBe(true);
    const second = await sync(src, dst);
    expect(second).toMatchObject({ copied: 0, skipped: 20, fallbacks: [] });
    expect(second.comparisons['listing-hash']).toBe(20);
  });

  it('refuses a source that is a file, pointing to cp', async () => {
    const src = await memfsRoot();
    await writeTree(src, { 'one.txt': '1' });
    await expect(sync(src.join('one.txt'), await memfsRoot())).rejects.toThrow(/is a file, not a folder.*statestore cp/);
  });

  it('refuses roots of which one lies inside the other', async () => {
    const src = await memfsRoot();
    await expect(sync(src, src.join('inner'))).rejects.toThrow(/one lies inside the other/);
    await expect(sync(src.join('inner'), src)).rejects.toThrow(/one lies inside the other/);
  });
});

describe('delete', () => {
  it('removes extraneous destination files, except those the filter leaves out', async () => {
    const src = await memfsRoot();
    const dst = await fileRoot();
    await writeTree(src, { keep: 'k', 'dir/new': 'n' });
    await writeTree(dst, { keep: 'k', old: 'o', 'dir/old': 'o', 'backups/etcd/x': 'b' });
    const summary = await sync(src, dst, { delete: true, filter: (key) => !key.startsWith('backups/') });
    expect(summary.errors).toEqual([]);
    expect(summary.deleted).toBe(2);
    expect(Object.keys(await treeHashes(dst))).toEqual(['backups/etcd/x', 'dir/new', 'keep']);
  });

  it('never runs after a copy error', async () => {
    const src = await memfsRoot();
    const { root: dst, faulty } = faultyFileRoot();
    await writeTree(src, { a: 'a', b: 'b', c: 'c' });
    await writeTree(dst, { stale1: 's', stale2: 's' });
    faulty.failWrites = (key) => key.endsWith('/b');
    const events: SyncEvent[] = [];
    const summary = await sync(src, dst, { delete: true, onProgress: (e) => events.push(e) });
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]).toMatchObject({ key: 'b', phase: 'copy', code: 'PermissionDenied' });
    expect(summary.deleted).toBe(0);
    expect(summary.deleteSkipped).toMatch(/1 error before the delete phase.*2 extraneous/);
    expect(faulty.deletes).toEqual([]);
    expect(Object.keys(await treeHashes(dst))).toEqual(['a', 'c', 'stale1', 'stale2']);
    expect(events.filter((e) => e.type === 'delete')).toEqual([]);
    expect(events.some((e) => e.type === 'delete-skipped')).toBe(true);

    faulty.failWrites = () => false;
    const rerun = await sync(src, dst, { delete: true });
    expect(rerun).toMatchObject({ copied: 1, deleted: 2, errors: [] });
    expect(await treeHashes(dst)).toEqual(await treeHashes(src));
  });

  it('reports a failed delete as an error', async () => {
    const src = await memfsRoot();
    const { root: dst, faulty } = faultyFileRoot();
    await writeTree(src, { a: 'a' });
    await writeTree(dst, { a: 'a', stale: 's' });
    faulty.failDeletes = () => true;
    const summary = await sync(src, dst, { delete: true });
    expect(summary.errors).toMatchObject([{ key: 'stale', phase: 'delete', code: 'PermissionDenied' }]);
  });
});

describe('concurrency and progress', () => {
  it('keeps at most `transfers` copies in flight, and reaches that many', async () => {
    const src = await memfsRoot();
    const { root: dst, faulty } = faultyFileRoot();
    await writeTree(src, randomFiles(30));
    let release!: () => void;
    faulty.gate = new Promise((resolve) => (release = resolve));
    faulty.onWriteStart = () => {
      if (faulty.inFlightWrites === 3) release();
    };
    const summary = await sync(src, dst, { transfers: 3 });
    expect(summary.copied).toBe(30);
    expect(faulty.maxInFlightWrites).toBe(3);
  });

  it('emits listing, check, copy and done events whose totals add up', async () => {
    const src = await memfsRoot();
    const dst = await memfsRoot();
    await writeTree(src, { a: '1', b: '22', c: '333' });
    await writeTree(dst, { a: '1' });
    const events: SyncEvent[] = [];
    const summary = await sync(src, dst, { onProgress: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'check').map((e) => (e.type === 'check' ? `${e.key}:${e.action}:${e.method}` : '')).sort()).toEqual([
      'a:skip:listing-hash',
      'b:copy:missing',
      'c:copy:missing',
    ]);
    expect(events.filter((e) => e.type === 'copy')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'listing' && e.done)).toHaveLength(2);
    const done = events.at(-1)!;
    expect(done.type).toBe('done');
    expect(done.totals).toMatchObject({ sourceFiles: 3, destinationFiles: 1, checked: 3, copied: 2, bytesCopied: 5, skipped: 1, errors: 0 });
    expect(summary.bytesCopied).toBe(5);
  });

  it('goes on when a listener throws', async () => {
    const src = await memfsRoot();
    const dst = await memfsRoot();
    await writeTree(src, { a: '1' });
    const summary = await sync(src, dst, {
      onProgress: () => {
        throw new Error('listener bug');
      },
    });
    expect(summary.copied).toBe(1);
  });
});
