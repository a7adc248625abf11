/**
 * The history commands as a user meets them (the built CLI on file://, in child processes): every mutating
 * command takes -m and nothing else does; history's text output; a read-only command leaves no trace in the
 * store; rollback and undelete in text and --dry-run; usage errors (exit 2) and refusals (exit 1) that say what to do.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/command-table.js';
import { cleanEnv, runCli, runInProcess, tempDir } from './helpers.js';

const NAME = 'hist.example.com';

function setup() {
  const dir = path.join(tempDir(), 'store');
  const env = cleanEnv({ KOPS_STATE_STORE: `file://${dir}` });
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...env, ...extra } });
  return { dir, run };
}

describe('history commands', () => {
  it('-m is taken by every mutating command and by no command that only reads', async () => {
    for (const c of COMMANDS) {
      const help = await runInProcess([...c.words, '--help']);
      expect(help.code, c.words.join(' ')).toBe(0);
      expect(help.stdout.includes('--message MESSAGE'), `${c.words.join(' ')} -m`).toBe(c.mutating === true);
    }
  });

  it('lists revisions newest first with author, command, message and files; a read-only command writes nothing', async () => {
    const { dir, run } = setup();
    expect((await run(['get', 'clusters'])).code).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect((await run(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', '-m', 'new cluster'], { STATESTORE_ACTOR: 'alice' })).code).toBe(0);
    expect((await run(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.31.0', '--message', 'bump'], { STATESTORE_ACTOR: 'bob' })).code).toBe(0);
    const h = await run(['history', NAME]);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toMatch(
      new RegExp(
        [
          `^History of cluster ${NAME.replace(/\./g, '\\.')} in .*\\n`,
          '\\nrevision [0-9a-f]{12} \\(@-0\\)\\nDate:    \\S+\\nAuthor:  bob.*\\nCommand: statestore set cluster hist\\.example\\.com spec\\.kubernetesVersion=1\\.31\\.0 --message bump\\nMessage: bump\\n    ~ config\\n',
          '\\nrevision [0-9a-f]{12} \\(@-1\\)\\nDate:    \\S+\\nAuthor:  alice.*\\nCommand: .*\\nMessage: new cluster\\n    \\+ clusteraddons/default\\n    \\+ config\\n',
        ].join(''),
      ),
    );
    // Reading history and a past revision leave the store as it was.
    const before = await run(['ls', '-R', `file://${dir}/.statestore`]);
    expect((await run(['get', 'cluster', `${NAME}@-1`, '-o', 'yaml'])).stdout).not.toContain('1.31.0');
    expect((await run(['get', 'ig', '--name', NAME, '--rev', '@-1'])).code).toBe(0);
    expect((await run(['ls', '-R', `file://${dir}/.statestore`])).stdout).toBe(before.stdout);
  });

  it('rollback --dry-run shows the plan and writes nothing; rollback and undelete say what they brought back', async () => {
    const { run } = setup();
    await run(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws']);
    await run(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.31.0']);
    const dry = await run(['rollback', NAME, '--to', '@-1', '--dry-run']);
    expect(dry.stdout).toMatch(/^Would bring back hist\.example\.com as it was at revision [0-9a-f]{12} \(@-1\):\n  ~ config\nNothing was written \(--dry-run\)\.\n$/);
    expect((await run(['get', 'cluster', NAME, '-o', 'yaml'])).stdout).toContain('kubernetesVersion: 1.31.0');
    const done = await run(['rollback', NAME, '--to', '@-1', '-m', 'undo']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^Brought back hist\.example\.com as it was at revision [0-9a-f]{12} \(@-1\), as revision [0-9a-f]{12}:\n  ~ config\n$/);
    expect((await run(['get', 'cluster', NAME, '-o', 'yaml'])).stdout).not.toContain('kubernetesVersion: 1.31.0');
    expect((await run(['rollback', NAME, '--to', '@-0'])).stdout).toMatch(/already holds revision/);

    expect((await run(['delete', 'cluster', NAME, '--yes'])).code).toBe(0);
    const undone = await run(['undelete', NAME, '-o', 'json']);
    expect(undone.code, undone.stderr).toBe(0);
    const report = JSON.parse(undone.stdout) as { kind: string; done: boolean; changes: { path: string }[] };
    expect(report).toMatchObject({ kind: 'undelete', done: true });
    expect(report.changes.map((c) => c.path).pop()).toBe('config');
    expect((await run(['get', 'clusters'])).stdout).toContain(NAME);
  });

  it('usage errors exit 2 (history diff: any trouble, as diff(1)); an unknown revision, nothing to undelete and a bad STATESTORE_HISTORY exit 1 and say what to do', async () => {
    const { run } = setup();
    await run(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws']);
    expect((await run(['rollback', NAME])).code).toBe(2);
    expect((await run(['history', 'diff', NAME])).code).toBe(2);
    const unknownDiff = await run(['history', 'diff', NAME, '@-5']);
    expect(unknownDiff.code, 'history diff exits 2 on trouble, as diff(1)').toBe(2);
    expect(unknownDiff.stderr).toMatch(/no revision @-5/);
    const unknown = await run(['rollback', NAME, '--to', '@-5']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no revision @-5 in the history of hist\.example\.com .*statestore history hist\.example\.com/);
    const bad = await run(['rollback', NAME, '--to', 'HEAD~1']);
    expect(bad.stderr).toMatch(/is not a revision: give an id that `statestore history` printed/);
    const nothing = await run(['undelete', NAME]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/has no deletion to undo/);
    const mode = await run(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.31.0'], { STATESTORE_HISTORY: 'maybe' });
    expect(mode.code).toBe(1);
    expect(mode.stderr).toContain('STATESTORE_HISTORY must be "on" or "off", not "maybe"');
  });

  it('STATESTORE_HISTORY=off is recorded in the store: later writers journal nothing, and history says it is off', async () => {
    const { run } = setup();
    await run(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws']);
    const off = await run(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.31.0'], { STATESTORE_HISTORY: 'off' });
    expect(off.stderr).toContain('history is now off for every writer');
    await run(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.31.1']);
    const h = await run(['history', NAME, '-o', 'json']);
    const view = JSON.parse(h.stdout) as { mode: string; revisions: unknown[]; unrecorded: { kind: string }[] };
    expect(view.mode).toBe('off');
    expect(view.revisions).toHaveLength(1);
    expect(view.unrecorded.map((r) => r.kind)).toEqual(['outside']);
  });

  it('migrate says that history stays behind; --with-history carries the journal: same revisions, rollback works in the new store', async () => {
    const { dir, run } = setup();
    await run(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', '-m', 'created']);
    await run(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.31.0', '-m', 'bump']);
    const old = JSON.parse((await run(['history', NAME, '-o', 'json'])).stdout) as { revisions: { id: string }[] };
    const bare = `file://${path.dirname(dir)}/bare`;
    const plain = await run(['migrate', NAME, '--to', bare]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('history: not carried (it stays in the old store; --with-history copies the journal)');
    expect(JSON.parse((await run(['history', NAME, '-o', 'json', '--state', bare])).stdout).revisions).toEqual([]);

    const carried = `file://${path.dirname(dir)}/carried`;
    const r = await run(['migrate', NAME, '--to', carried, '--with-history']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/history: copied \d+ journal files to .*carried\/\.statestore\/history\/hist\.example\.com/);
    const moved = JSON.parse((await run(['history', NAME, '-o', 'json', '--state', carried])).stdout) as { revisions: { id: string }[] };
    expect(moved.revisions.map((x) => x.id)).toEqual(old.revisions.map((x) => x.id));
    // Run again (resumable): everything is there already.
    expect((await run(['migrate', NAME, '--to', carried, '--with-history', '--dry-run'])).stdout).toMatch(/history: would copy 0 journal files .*\(\d+ already there\)/);
    expect((await run(['rollback', NAME, '--to', '@-1', '--state', carried])).code).toBe(0);
    expect((await run(['get', 'cluster', NAME, '-o', 'yaml', '--state', carried])).stdout).not.toContain('1.31.0');
  });

  it('history prune keeps the newest revisions; a dry run removes nothing; --keep 0 is a usage error', async () => {
    const { run } = setup();
    await run(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws']);
    for (const v of ['1.30.0', '1.31.0', '1.32.0']) await run(['set', 'cluster', NAME, `spec.kubernetesVersion=${v}`]);
    const dry = await run(['history', 'prune', NAME, '--keep', '2', '--dry-run']);
    expect(dry.stdout).toMatch(/^Would remove 2 revision\(s\) of hist\.example\.com from .*: \d+ log entries, \d+ intents, \d+ blobs\.\nKept 2 revision\(s\), the oldest [0-9a-f]{12}\.\n$/);
    expect(JSON.parse((await run(['history', NAME, '-o', 'json'])).stdout).revisions).toHaveLength(4);
    const pruned = await run(['history', 'prune', NAME, '--keep', '2']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse((await run(['history', NAME, '-o', 'json'])).stdout).revisions).toHaveLength(2);
    expect((await run(['rollback', NAME, '--to', '@-1'])).code).toBe(0);
    expect((await run(['get', 'cluster', NAME, '-o', 'yaml'])).stdout).toContain('kubernetesVersion: 1.31.0');
    const zero = await run(['history', 'prune', NAME, '--keep', '0']);
    expect(zero.code).toBe(2);
    expect((await run(['history', 'prune', NAME])).stderr).toContain('--keep N or --older-than DURATION');
  });
});
