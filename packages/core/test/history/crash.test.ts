/**
 * A writer that stops between its steps (in-process: the write it is waiting on never answers, and it is
 * abandoned, as a killed process would be). Between the state write and the log entry: history shows the change
 * as unconfirmed, with its attribution. Before the state write: history shows nothing. A log entry that cannot be
 * written: the change stands, the operation's next write is refused, and the change shows as unconfirmed.
 */
import { describe, expect, it } from 'vitest';
import { MemfsBackend, Operation, PermissionDeniedError, pathForBackend, readHistory, type WriteBody, type WriteOptions } from '../../src/index.js';
import { DelegatingBackend } from '../delegating-backend.js';

const quiet = { log: () => undefined };

/** A driver whose writes to keys matching `hold` never answer (the test hears about the first one). */
class HoldingBackend extends DelegatingBackend {
  hold: RegExp | undefined;
  fail: RegExp | undefined;
  reached: Promise<string>;
  private notify!: (key: string) => void;

  constructor() {
    super(new MemfsBackend());
    this.reached = new Promise((resolve) => (this.notify = resolve));
  }

  override async write(key: string, body: WriteBody, options: WriteOptions = {}) {
    if (this.hold?.test(key)) {
      this.notify(key);
      return new Promise<never>(() => undefined);
    }
    if (this.fail?.test(key)) throw new PermissionDeniedError('AccessDenied (injected)');
    return super.write(key, body, options);
  }
}

function setup() {
  const backend = new HoldingBackend();
  const store = pathForBackend(backend, 'store', { logger: quiet, retry: { maxAttempts: 1 } });
  return { backend, store };
}

const carol = { user: 'carol', host: 'ops-1', command: 'statestore set cluster c x=2', message: 'risky' };

describe('a writer stopped part-way', () => {
  it('between the state write and the log entry: the change shows as unconfirmed, attributed, and the next writer records it so', async () => {
    const { backend, store } = setup();
    await new Operation(store, { attribution: { user: 'alice' } }).track(store).join('c', 'config').createFile('v1');
    backend.hold = /\.statestore\/history\/c\/log\//;
    const op = new Operation(store, { attribution: carol });
    void op.track(store).join('c', 'config').writeFile('v2');
    expect(await backend.reached).toMatch(new RegExp(`/log/\\d{12}-${op.revision}\\.0$`));
    backend.hold = undefined;
    expect(await store.join('c', 'config').readText()).toBe('v2');

    const seen = await readHistory(store, 'c');
    expect(seen.unrecorded).toEqual([expect.objectContaining({ id: op.revision, kind: 'unconfirmed', attribution: carol, files: [{ path: 'config', change: 'changed' }] })]);

    await new Operation(store, { attribution: { user: 'dave' } }).track(store).join('c', 'other').writeFile('x');
    const recorded = await readHistory(store, 'c');
    expect(recorded.unrecorded).toEqual([]);
    expect(recorded.revisions.map((r) => [r.kind, r.attribution?.user, r.files.map((f) => f.path).join()])).toEqual([
      ['statestore', 'dave', 'other'],
      ['unconfirmed', 'carol', 'config'],
      ['statestore', 'alice', 'config'],
    ]);
    expect(recorded.revisions[1]!.id).toBe(op.revision);
  });

  it('before the state write: nothing is shown, although its intent was written', async () => {
    const { backend, store } = setup();
    await new Operation(store, { attribution: { user: 'alice' } }).track(store).join('c', 'config').createFile('v1');
    backend.hold = /^store\/c\/config$/;
    const op = new Operation(store, { attribution: carol });
    void op.track(store).join('c', 'config').writeFile('v2');
    await backend.reached;
    expect((await store.join('.statestore', 'history', 'c', 'intents').readDir()).map((e) => e.name).filter((n) => n.includes(op.revision))).toHaveLength(1);
    const view = await readHistory(store, 'c');
    expect(view.unrecorded).toEqual([]);
    expect(view.revisions.map((r) => r.attribution?.user)).toEqual(['alice']);
  });

  it('part-way through a command of several writes: exactly the writes that landed are shown', async () => {
    const { backend, store } = setup();
    backend.hold = /^store\/c\/instancegroup\/b$/;
    const op = new Operation(store, { attribution: carol });
    const tracked = op.track(store);
    void (async () => {
      await tracked.join('c', 'config').createFile('cfg');
      await tracked.join('c', 'instancegroup', 'a').createFile('a');
      await tracked.join('c', 'instancegroup', 'b').createFile('b');
    })();
    await backend.reached;
    const { revisions, unrecorded } = await readHistory(store, 'c');
    expect(unrecorded).toEqual([]);
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ id: op.revision, kind: 'statestore', files: [{ path: 'config' }, { path: 'instancegroup/a' }] });
  });

  it('a log entry that cannot be written: the write stands, the next write of the command is refused, history shows it unconfirmed', async () => {
    const { backend, store } = setup();
    const op = new Operation(store, { attribution: carol, logger: quiet });
    const tracked = op.track(store);
    backend.fail = /\.statestore\/history\/c\/log\//;
    await tracked.join('c', 'config').createFile('landed');
    await expect(tracked.join('c', 'instancegroup', 'nodes').createFile('never')).rejects.toThrow(/history entry of this command's previous write could not be written/);
    expect(await store.join('c', 'instancegroup', 'nodes').exists()).toBe(false);
    backend.fail = undefined;
    const { unrecorded } = await readHistory(store, 'c');
    expect(unrecorded).toEqual([expect.objectContaining({ id: op.revision, kind: 'unconfirmed', files: [{ path: 'config', change: 'added' }] })]);
  });
});
