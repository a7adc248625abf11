/**
 * Rollback and undelete on memfs: back to each earlier revision byte for byte, as a new revision (history is never
 * deleted); a change after the plan refuses it with nothing written; a change between its writes stops it with
 * nothing lost; undelete brings back every file of a deleted cluster.
 */
import { describe, expect, it } from 'vitest';
import { Operation, readHistory, type VfsPath } from '../../src/index.js';
import { applyRollback, planRollback, planUndelete, rollback, undelete } from '../../src/config-entry.js';
import { asRevision, newStore, treeHashes } from './history-helpers.js';

const who = (message: string) => ({ user: 'tester', message });

/** Five revisions of cluster c; returns the tree of each, newest first (index = @-N). */
async function fiveRevisions(store: VfsPath): Promise<Record<string, string>[]> {
  const states: Record<string, string>[] = [];
  const step = async (message: string, fn: (s: VfsPath) => Promise<unknown>) => {
    await asRevision(store, who(message), async (s) => void (await fn(s)));
    states.unshift(await treeHashes(store.join('c')));
  };
  await step('create', async (s) => {
    await s.join('c', 'config').createFile('spec: 1\n');
    await s.join('c', 'instancegroup', 'nodes').createFile('ig: 1\n');
    await s.join('c', 'pki', 'private', 'ca', 'keyset.yaml').writeFile(new Uint8Array([1, 2, 3, 0, 255]));
  });
  await step('set', (s) => s.join('c', 'config').updateFile(() => 'spec: 2\n'));
  await step('ig create', (s) => s.join('c', 'instancegroup', 'extra').createFile('ig: extra\n'));
  await step('ig delete', (s) => s.join('c', 'instancegroup', 'nodes').remove());
  await step('replace', (s) => s.join('c', 'config').writeFile('spec: 3\n# replaced\n'));
  return states;
}

describe('rollback', () => {
  it('brings the cluster back to each earlier revision byte for byte, each time as a new revision', async () => {
    const { store } = newStore();
    const states = await fiveRevisions(store);
    for (let back = 1; back < states.length; back++) {
      // The revision that was @-back before any rollback is now further back by the rollbacks since.
      const rev = `@-${back + (back - 1)}`;
      const { plan, report } = await rollback(store, 'c', rev, { operation: new Operation(store, { attribution: who(`undo to ${back}`) }) });
      expect(plan.changes.length).toBeGreaterThan(0);
      expect(await treeHashes(store.join('c'))).toEqual(states[back]);
      const { revisions } = await readHistory(store, 'c', { limit: 1 });
      expect(revisions[0]).toMatchObject({ id: report.revision, kind: 'statestore', attribution: { message: `undo to ${back}` } });
    }
    expect((await readHistory(store, 'c', { limit: 0 })).revisions).toHaveLength(5 + 4);
  });

  it('a rollback to the state the cluster is in writes nothing', async () => {
    const { store } = newStore();
    await fiveRevisions(store);
    const plan = await planRollback(store, 'c', '@-0');
    expect(plan.changes).toEqual([]);
  });

  it('writes the cluster config last and deletes it first', async () => {
    const { store } = newStore();
    await fiveRevisions(store);
    const back = await planRollback(store, 'c', '@-4');
    expect(back.changes.map((c) => `${c.action} ${c.path}`)).toEqual(['create instancegroup/nodes', 'change config', 'delete instancegroup/extra']);
  });

  it('a change after the plan refuses it before anything is written (StalePlanError), and nothing is lost', async () => {
    const { store } = newStore();
    await fiveRevisions(store);
    const plan = await planRollback(store, 'c', '@-3');
    await store.join('c', 'instancegroup', 'extra').writeFile('changed meanwhile by kops\n');
    const before = await treeHashes(store.join('c'));
    await expect(applyRollback(store, plan)).rejects.toMatchObject({ name: 'StalePlanError', moved: [expect.objectContaining({ key: 'c/instancegroup/extra', change: 'changed' })] });
    expect(await treeHashes(store.join('c'))).toEqual(before);
  });

  it('a change between its writes stops it there (ApplyIncompleteError); what it replaced and the other change are both kept', async () => {
    const { store, backend } = newStore();
    const states = await fiveRevisions(store);
    const plan = await planRollback(store, 'c', '@-4');
    let raced = false;
    backend.afterWrite = async (key) => {
      if (raced || !key.endsWith('/c/instancegroup/nodes')) return;
      raced = true;
      await store.join('c', 'config').writeFile('spec: concurrent\n');
    };
    const error = await applyRollback(store, plan).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApplyIncompleteError', report: { landed: [{ object: 'instancegroup/nodes' }], failed: { object: 'config', outcome: 'not-applied' } } });
    expect(await store.join('c', 'config').readText()).toBe('spec: concurrent\n');
    const { revisions } = await readHistory(store, 'c', { limit: 0 });
    expect(revisions[0]!.files).toEqual([{ path: 'instancegroup/nodes', change: 'added' }]);
    // Run again (a new plan, on what is there now; @-5 is the same revision as @-4 was): it finishes.
    await rollback(store, 'c', '@-5');
    expect(await treeHashes(store.join('c'))).toEqual(states[4]);
  });
});

describe('undelete', () => {
  it('after the cluster folder was removed, brings back every file byte for byte', async () => {
    const { store } = newStore();
    const states = await fiveRevisions(store);
    await asRevision(store, who('delete cluster'), (s) => s.join('c').removeAll().then(() => undefined));
    expect(await treeHashes(store.join('c'))).toEqual({});
    const { report } = await undelete(store, 'c', { operation: new Operation(store, { attribution: who('oops') }) });
    expect(await treeHashes(store.join('c'))).toEqual(states[0]);
    expect(report.applied.map((w) => w.object).pop()).toBe('config');
    await expect(planUndelete(store, 'c')).rejects.toThrow(/nothing to undelete in c: the files revision \w+ deleted exist again/);
  });

  it('after one file was deleted (delete ig), brings back that file only, and touches nothing else', async () => {
    const { store } = newStore();
    await fiveRevisions(store);
    await asRevision(store, who('more'), (s) => s.join('c', 'config').writeFile('spec: 4\n').then(() => undefined));
    const before = await treeHashes(store.join('c'));
    const plan = await planUndelete(store, 'c');
    expect(plan.changes.map((c) => `${c.action} ${c.path}`)).toEqual(['create instancegroup/nodes']);
    await applyRollback(store, plan);
    expect(await store.join('c', 'instancegroup', 'nodes').readText()).toBe('ig: 1\n');
    expect(await treeHashes(store.join('c'))).toEqual({ ...before, 'instancegroup/nodes': expect.any(String) });
  });

  it('also when the deletion was made outside Statestore and not recorded yet', async () => {
    const { store } = newStore();
    const states = await fiveRevisions(store);
    await store.join('c').removeAll();
    await undelete(store, 'c');
    expect(await treeHashes(store.join('c'))).toEqual(states[0]);
    const { revisions } = await readHistory(store, 'c', { limit: 2 });
    expect(revisions.map((r) => r.kind)).toEqual(['statestore', 'outside']);
  });

  it('refuses when the history holds no deletion', async () => {
    const { store } = newStore();
    await expect(planUndelete(store, 'never-existed')).rejects.toMatchObject({ code: 'NotFound' });
  });
});
