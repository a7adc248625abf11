/**
 * sync, export, diff and migrate through the command line: the built CLI as a child process on local
 * stores (including a SIGKILL part-way through a sync and a rerun), exit codes, text and JSON output.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { barLine } from '../src/sync-progress.js';
import { cleanEnv } from './helpers.js';

const BIN = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'dist', 'bin.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function env(): NodeJS.ProcessEnv {
  return cleanEnv();
}

function cli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env(), cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'statestore-sync-cli-'));
}

function write(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [key, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, key)), { recursive: true });
    writeFileSync(path.join(root, key), body);
  }
}

/** Relative path → sha256, of every file below `root` (Statestore's temporary files excluded). */
function hashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.startsWith('.statestore-tmp-')) out[path.relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  if (statSync(root, { throwIfNoEntry: false })) walk(root);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function randomTree(count: number): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) files[`d${i % 6}/f-${i}`] = randomBytes(512 + ((i * 733) % 7000));
  return files;
}

describe('statestore sync', () => {
  it('copies, prints a summary, and a rerun copies nothing', async () => {
    const src = dir();
    const dst = dir();
    write(src, randomTree(30));
    const first = await cli(['sync', src, `file://${dst}`]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/checked 30, copied 30 /);
    expect(hashes(dst)).toEqual(hashes(src));
    const second = await cli(['sync', src, dst]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/copied 0 .*unchanged 30/);
    expect(second.stdout).toMatch(/fallback used: read and hashed/);
    // no progress bar when stderr is not a terminal
    expect(second.stderr).not.toMatch(/\[#*-*\]/);
  });

  it('with -o json prints one JSON event per line and the summary last', async () => {
    const src = dir();
    write(src, { a: '1', b: '22' });
    const run = await cli(['sync', src, dir(), '-o', 'json']);
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; key?: string });
    expect(events.filter((e) => e.type === 'copy').map((e) => e.key).sort()).toEqual(['a', 'b']);
    expect(events.at(-2)?.type).toBe('done');
    expect(events.at(-1)).toMatchObject({ type: 'summary', copied: 2, bytesCopied: 3, errors: [] });
  });

  it('--dry-run changes nothing; --exclude leaves keys out on both sides', async () => {
    const src = dir();
    const dst = dir();
    write(src, { keep: 'k', 'backups/x': 'b' });
    write(dst, { stale: 's', 'backups/old': 'o' });
    const dry = await cli(['sync', src, dst, '--delete', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would be copied 2 .*would be deleted 2/);
    expect(Object.keys(hashes(dst))).toEqual(['backups/old', 'stale']);
    const real = await cli(['sync', src, dst, '--delete', '--exclude', 'backups/']);
    expect(real.code).toBe(0);
    expect(Object.keys(hashes(dst))).toEqual(['backups/old', 'keep']);
  });

  it('--delete never runs after an error, and the exit code is 1', async () => {
    const src = dir();
    const dst = dir();
    write(src, { 'a/b': 'needs a folder named a', c: 'c' });
    // a file where the source needs a folder: writing a/b fails
    write(dst, { a: 'a file, not a folder', stale: 's' });
    const run = await cli(['sync', src, dst, '--delete']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/delete skipped: 1 error before the delete phase/);
    expect(run.stdout).toMatch(/error \(copy a\/b\)/);
    expect(Object.keys(hashes(dst))).toEqual(['a', 'c', 'stale']);
  });

  it('refuses a wrong number of arguments and bad concurrency (exit 2)', async () => {
    expect((await cli(['sync', dir()])).code).toBe(2);
    const zero = await cli(['sync', dir(), dir(), '--transfers', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--transfers must be at least 1/);
  });

  it('resumes after SIGKILL: every file old or new, never partial, and a rerun ends identical by hash', async () => {
    const src = dir();
    const dst = dir();
    const files = { ...randomTree(300), 'large/blob': randomBytes(10 * 1024 * 1024) };
    write(src, files);
    // Old versions of some files (the blob among them), so the killed run replaces files as well as creating them.
    write(dst, Object.fromEntries(Object.keys(files).filter((key, i) => i % 5 === 0 || key === 'large/blob').map((key) => [key, randomBytes(100)])));
    const old = hashes(dst);
    const killed = await new Promise<{ signal: NodeJS.Signals | null; copies: number }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'sync', src, dst, '-o', 'json', '--transfers', '4'], { env: env(), stdio: ['ignore', 'pipe', 'ignore'] });
      let copies = 0;
      createInterface({ input: child.stdout }).on('line', (line) => {
        if ((JSON.parse(line) as { type: string }).type === 'copy' && ++copies === 50) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) => resolve({ signal, copies }));
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.copies).toBeGreaterThanOrEqual(50); // lines already in the pipe when the kill landed still count
    const expected = hashes(src);
    const partial = hashes(dst);
    expect(partial).not.toEqual(expected);
    for (const [key, hash] of Object.entries(partial)) expect([expected[key], old[key]], key).toContain(hash);
    const rerun = await cli(['sync', src, dst]);
    expect(rerun.code).toBe(0);
    expect(hashes(dst)).toEqual(expected);
  });
});

const CLUSTER = 'demo.example.com';

function clusterFiles(configBase: string): Record<string, string | Uint8Array> {
  return {
    config: `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${CLUSTER}\nspec:\n  cloudProvider: aws\n  configBase: ${configBase}\n  kubernetesVersion: 1.30.0\n`,
    'instancegroup/nodes': 'apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes\nspec:\n  maxSize: 2\n',
    'pki/private/ca/keyset.yaml': randomBytes(300),
    'cluster-completed.spec': `kind: Cluster\nspec:\n  configBase: ${configBase}\n`,
    'backups/etcd/main/x': randomBytes(200),
  };
}

describe('statestore export, diff, migrate', () => {
  it('exports for review, diffs an edit field by field (exit 1), and shows no difference after syncing back (exit 0)', async () => {
    const store = dir();
    write(path.join(store, CLUSTER), clusterFiles(path.join(store, CLUSTER)));
    const review = dir();
    const exported = await cli(['export', CLUSTER, '--state', store, '--to', `file://${review}`]);
    expect(exported.code).toBe(0);
    expect(Object.keys(hashes(path.join(review, CLUSTER)))).not.toContain('backups/etcd/main/x');

    const config = path.join(review, CLUSTER, 'config');
    writeFileSync(config, readFileSync(config, 'utf8').replace('kubernetesVersion: 1.30.0', 'kubernetesVersion: 1.31.0'));
    const diff = await cli(['diff', path.join(store, CLUSTER), path.join(review, CLUSTER), '--exclude', 'backups/']);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('~ config\n    ~ spec.kubernetesVersion: 1.30.0 → 1.31.0\n');
    expect(diff.stdout).toMatch(/0 added, 0 removed, 1 changed, 3 unchanged/);
    const json = await cli(['diff', path.join(store, CLUSTER), path.join(review, CLUSTER), '--exclude', 'backups/', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ changed: [{ key: 'config', objects: [{ object: `Cluster/${CLUSTER}` }] }] });

    expect((await cli(['sync', path.join(review, CLUSTER), path.join(store, CLUSTER)])).code).toBe(0);
    const same = await cli(['diff', path.join(store, CLUSTER), path.join(review, CLUSTER), '--exclude', 'backups/']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/0 added, 0 removed, 0 changed, 4 unchanged/);
  });

  it('migrates: rewrites configBase only, verifies, warns about kops-generated files, leaves the source', async () => {
    const store = dir();
    const oldBase = path.join(store, CLUSTER);
    const files = clusterFiles(oldBase);
    write(oldBase, files);
    const before = hashes(store);
    const to = dir();
    const run = await cli(['migrate', CLUSTER, '--state', `file://${store}`, '--to', `file://${to}`]);
    expect(run.code).toBe(0);
    const newBase = path.join(to, CLUSTER);
    expect(run.stdout).toContain(`rewrote spec.configBase: ${oldBase} → ${newBase}`);
    expect(run.stdout).toMatch(/verified 5 files by hash/);
    expect(run.stderr).toMatch(/warning: Files kops generates \(cluster-completed\.spec\) still name/);
    expect(readFileSync(path.join(newBase, 'config'), 'utf8')).toBe((files.config as string).replace(`configBase: ${oldBase}`, `configBase: ${newBase}`));
    const moved = hashes(newBase);
    const original = hashes(oldBase);
    for (const key of Object.keys(original)) if (key !== 'config') expect(moved[key], key).toBe(original[key]);
    expect(hashes(store)).toEqual(before);
  });

  it('fails clearly for a missing cluster and without --to', async () => {
    const store = dir();
    const missing = await cli(['migrate', 'nope.example.com', '--state', store, '--to', dir()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No cluster nope\.example\.com/);
    expect((await cli(['export', CLUSTER, '--state', store])).code).toBe(2);
  });
});

describe('progress bar', () => {
  it('shows checked, copied and bytes, and fits the terminal', () => {
    const totals = { sourceFiles: 10, destinationFiles: 0, listingDone: true, checked: 5, toCopy: 4, bytesToCopy: 4096, copied: 2, bytesCopied: 2048, skipped: 1, toDelete: 0, deleted: 0, errors: 1 };
    expect(barLine({ type: 'done', totals }, 200)).toBe('[######--------------] 5/10 checked, 2/4 copied (2.0 KiB/4.0 KiB), 1 error');
    expect(barLine({ type: 'done', totals }, 20)).toHaveLength(19);
  });
  it('is empty at 0/0 while listing, and full when there was nothing to do', () => {
    const none = { sourceFiles: 0, destinationFiles: 0, listingDone: false, checked: 0, toCopy: 0, bytesToCopy: 0, copied: 0, bytesCopied: 0, skipped: 0, toDelete: 0, deleted: 0, errors: 0 };
    expect(barLine({ type: 'listing', side: 'source', files: 0, done: false, totals: none }, 200)).toMatch(/^\[-{20}\] 0\/0 \(listing…\)/);
    expect(barLine({ type: 'done', totals: { ...none, listingDone: true } }, 200)).toMatch(/^\[#{20}\] 0\/0 checked/);
  });
  it('shows the rate, and the ETA once the bytes to copy are known', () => {
    const copying = { sourceFiles: 10, destinationFiles: 0, listingDone: true, checked: 10, toCopy: 10, bytesToCopy: 10 * 1048576, copied: 2, bytesCopied: 2 * 1048576, skipped: 0, toDelete: 0, deleted: 0, errors: 0 };
    expect(barLine({ type: 'copy', key: 'k', bytes: 1, serverSide: false, dryRun: false, totals: copying }, 200, 2000)).toMatch(/, 0 errors, 1\.0 MiB\/s, ETA 0:08$/);
    const stillChecking = { ...copying, checked: 5 };
    expect(barLine({ type: 'copy', key: 'k', bytes: 1, serverSide: false, dryRun: false, totals: stillChecking }, 200, 2000)).toMatch(/, 1\.0 MiB\/s$/);
    expect(barLine({ type: 'copy', key: 'k', bytes: 1, serverSide: false, dryRun: false, totals: { ...copying, bytesCopied: 0, copied: 0 } }, 200, 2000)).toMatch(/0 errors$/);
  });
});
