/**
 * Every change recorded and reversible, on memfs://, file://, stock MinIO (no bucket versioning) and Swift: ten
 * changes by named actors (one written around Statestore) are listed by `history` with who and why; `rollback
 * --to` each earlier revision gives that revision's files byte for byte; `undelete` after `delete cluster --yes`
 * brings every file back; a change that races a rollback stops it cleanly with nothing lost; and no key written
 * ends in `/config` but the clusters' own. Everything runs through the CLI (on Swift its updates run under the
 * candidate lease).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { main } from '@statestore/cli';
import { resolvePath, type Backend, type HistoryView, type VfsPath, type WriteBody, type WriteOptions } from '@statestore/core';
import { applyRollback, planRollback } from '@statestore/core/config';
import { describe, expect, inject, it } from 'vitest';
import { runCli, type CliResult } from './support/cli.js';
import { CLUSTER, clusterHashes, runScenario, type HistoryTarget } from './support/history-scenario.js';
import { cliEnv, freshStoreUrl } from './support/stores.js';

function tempDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `statestore-history-${label}-`));
}

/** The built CLI in a child process, with the store in KOPS_STATE_STORE and a fresh HOME. */
function childTarget(label: string, storeUrl: string, env: NodeJS.ProcessEnv, directWrite: HistoryTarget['directWrite']): HistoryTarget {
  const base = { ...env, HOME: tempDir('home'), KOPS_STATE_STORE: storeUrl };
  return {
    label,
    storeUrl,
    workDir: tempDir('work'),
    run: (args, extra = {}) => runCli(args, { ...base, ...extra }),
    open: () => resolvePath(storeUrl, { env }),
    directWrite,
  };
}

/** memfs:// lives in one process: the CLI runs in this one (main), with captured output. */
function memfsTarget(): HistoryTarget {
  const storeUrl = `memfs://history-${randomUUID().slice(0, 8)}/store`;
  const open = () => resolvePath(storeUrl);
  const env = { PATH: process.env.PATH, HOME: tempDir('home'), KOPS_STATE_STORE: storeUrl, NO_COLOR: '1' };
  const workDir = tempDir('work');
  return {
    label: 'memfs',
    storeUrl,
    workDir,
    open,
    directWrite: async (relative, text) => void (await (await open()).join(CLUSTER, relative).writeFile(text)),
    run: async (args, extra = {}): Promise<CliResult> => {
      let stdout = '';
      let stderr = '';
      const text = (c: string | Uint8Array) => (typeof c === 'string' ? c : Buffer.from(c).toString());
      const io = { stdout: { write: (c: string | Uint8Array) => (stdout += text(c)) }, stderr: { write: (c: string | Uint8Array) => (stderr += text(c)) }, stdin: Readable.from(['']), env: { ...env, ...extra }, cwd: workDir, interactive: false, color: false };
      const code = await main(args, io);
      return { code, stdout, stderr };
    },
  };
}

function fileTarget(): HistoryTarget {
  const root = path.join(tempDir('file'), 'store');
  return childTarget('file', `file://${root}`, cliEnv('file'), async (relative, text) => writeFileSync(path.join(root, CLUSTER, relative), text));
}

async function s3Target(): Promise<HistoryTarget> {
  const storeUrl = await freshStoreUrl('s3', '/tmp');
  const [bucket, prefix] = storeUrl.slice('s3://'.length).split('/') as [string, string];
  const m = inject('minio');
  return childTarget('s3', storeUrl, cliEnv('s3'), async (relative, text) => {
    // Another tool: the AWS SDK, no Statestore in between.
    const client = new S3Client({ endpoint: m.endpoint, region: m.region, forcePathStyle: true, credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey } });
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${CLUSTER}/${relative}`, Body: text }));
    client.destroy();
  });
}

async function swiftTarget(): Promise<HistoryTarget> {
  const storeUrl = await freshStoreUrl('swift', '/tmp');
  const env = cliEnv('swift');
  return childTarget('swift', storeUrl, env, async (relative, text) => void (await (await resolvePath(storeUrl, { env })).join(CLUSTER, relative).writeFile(text)));
}

/** A driver that lets a test change the store right after one of its writes (a racing writer). */
class RacingBackend implements Backend {
  readonly settleCapabilities: Backend['settleCapabilities'];
  constructor(
    private readonly inner: Backend,
    private readonly after: (key: string) => Promise<void>,
  ) {
    this.settleCapabilities = inner.settleCapabilities ? (o) => inner.settleCapabilities!(o) : undefined;
  }
  get capabilities() {
    return this.inner.capabilities;
  }
  urlFor = (key: string) => this.inner.urlFor(key);
  stat: Backend['stat'] = (key, o) => this.inner.stat(key, o);
  read: Backend['read'] = (key, o) => this.inner.read(key, o);
  list: Backend['list'] = (prefix, o) => this.inner.list(prefix, o);
  delete: Backend['delete'] = (key, o) => this.inner.delete(key, o);
  async write(key: string, body: WriteBody, options?: WriteOptions) {
    const info = await this.inner.write(key, body, options);
    await this.after(key);
    return info;
  }
}

async function json<T>(t: HistoryTarget, args: string[]): Promise<T> {
  const r = await t.run([...args, '-o', 'json']);
  expect(r.code, `${t.label}: ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

async function ok(t: HistoryTarget, args: string[], extra?: NodeJS.ProcessEnv): Promise<CliResult> {
  const r = await t.run(args, extra);
  expect(r.code, `${t.label}: statestore ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}

/** Every key of the store, the reserved folder included. */
async function allKeys(store: VfsPath): Promise<string[]> {
  const keys: string[] = [];
  for await (const file of store.walk({ includeInternal: true })) keys.push(file.relativeTo(store)!);
  return keys;
}

const TARGETS: [string, () => Promise<HistoryTarget>][] = [
  ['memfs', async () => memfsTarget()],
  ['file', async () => fileTarget()],
  ['s3 (stock MinIO, no versioning)', s3Target],
  ['swift', swiftTarget],
];

describe.each(TARGETS)('history on %s', (_label, make) => {
  it('lists ten changes with their actors and messages, rolls back to each revision byte for byte, undeletes, and survives a racing writer', async () => {
    const t = await make();
    const steps = await runScenario(t);

    const view = await json<HistoryView>(t, ['history', CLUSTER, '--limit', '0']);
    expect(view.unrecorded).toEqual([]);
    expect(view.revisions.map((r) => [r.kind, r.attribution?.actor ?? null, r.attribution?.message ?? null])).toEqual(
      [...steps].reverse().map((s) => (s.actor ? ['statestore', s.actor, s.message] : ['outside', null, null])),
    );
    for (const r of view.revisions) expect(r.files.length, `${t.label}: revision ${r.id} lists its files`).toBeGreaterThan(0);
    expect(view.revisions[0]!.attribution?.command).toMatch(/^statestore set cluster history\.example\.com spec\.kubernetesVersion=1\.32\.0 -m 'next kubernetes'$/);
    expect(view.revisions[3]!.files).toEqual([{ path: 'config', change: 'changed' }]);
    const ig = await json<HistoryView>(t, ['history', CLUSTER, '--file', 'instancegroup/extra', '--limit', '0']);
    expect(ig.revisions.map((r) => r.attribution?.message)).toEqual(['drop it again', 'add an instance group']);

    // A past revision reads back as it was; history diff compares two of them field by field.
    const past = await ok(t, ['get', 'cluster', `${CLUSTER}@${view.revisions[8]!.id}`, '-o', 'yaml']);
    expect(past.stdout).toContain('kubernetesVersion: 1.31.0');
    const diff = await t.run(['history', 'diff', CLUSTER, view.revisions[9]!.id, view.revisions[8]!.id]);
    expect(diff.code, diff.stderr).toBe(1);
    expect(diff.stdout).toContain('spec.kubernetesVersion');

    // Back to each earlier revision, newest first; each rollback is a revision of its own.
    for (let back = 1; back < view.revisions.length; back++) {
      await ok(t, ['rollback', CLUSTER, '--to', view.revisions[back]!.id, '-m', `back ${back}`], { STATESTORE_ACTOR: 'restorer' });
      expect(await clusterHashes(await t.open()), `${t.label}: rollback to @-${back}`).toEqual(steps[steps.length - 1 - back]!.after);
    }
    const after = await json<HistoryView>(t, ['history', CLUSTER, '--limit', '0']);
    expect(after.revisions).toHaveLength(10 + 9);
    expect(after.revisions[0]!.attribution).toMatchObject({ actor: 'restorer', message: `back ${view.revisions.length - 1}` });

    // undelete after delete cluster --yes: every file back, byte for byte.
    const beforeDelete = await clusterHashes(await t.open());
    await ok(t, ['delete', 'cluster', CLUSTER, '--yes']);
    expect(await clusterHashes(await t.open())).toEqual({});
    await ok(t, ['undelete', CLUSTER, '-m', 'deleted the wrong one']);
    expect(await clusterHashes(await t.open())).toEqual(beforeDelete);

    // A change after the rollback was planned: refused before anything is written.
    const store = await t.open();
    const planned = await planRollback(store, CLUSTER, view.revisions[6]!.id);
    await t.directWrite('config', `${await store.join(CLUSTER, 'config').readText()}# racing\n`);
    const raced = await clusterHashes(store);
    await expect(applyRollback(store, planned)).rejects.toMatchObject({ name: 'StalePlanError' });
    expect(await clusterHashes(store)).toEqual(raced);

    // A change between the rollback's writes: it stops there; the other writer's change and everything the
    // rollback replaced are kept.
    const concurrent = `${await store.join(CLUSTER, 'config').readText()}# concurrent\n`;
    let fired = false;
    const racing = store.withBackend(
      new RacingBackend(store.backend, async (key) => {
        if (fired || !key.endsWith(`${CLUSTER}/instancegroup/extra`)) return;
        fired = true;
        await t.directWrite('config', concurrent);
      }),
    );
    const toExtra = await planRollback(racing, CLUSTER, view.revisions[5]!.id);
    expect(toExtra.changes.map((c) => c.path)).toEqual(['instancegroup/extra', 'config']);
    const stopped = await applyRollback(racing, toExtra).catch((e: unknown) => e);
    expect(stopped).toMatchObject({ name: 'ApplyIncompleteError', report: { landed: [{ object: 'instancegroup/extra' }], failed: { object: 'config' } } });
    expect(await store.join(CLUSTER, 'config').readText()).toBe(concurrent);
    const seen = await json<HistoryView>(t, ['history', CLUSTER, '--limit', '2']);
    expect(seen.unrecorded.map((r) => [r.kind, r.files])).toEqual([['outside', [{ path: 'config', change: 'changed' }]]]);
    expect(seen.revisions[0]!.files).toEqual([{ path: 'instancegroup/extra', change: 'added' }]);

    // No key ends in /config but the clusters' own; get clusters lists exactly the clusters.
    await ok(t, ['create', 'cluster', 'other.example.com', '--zones', 'us-east-1a', '--cloud', 'aws']);
    const keys = await allKeys(store);
    expect(keys.some((k) => k.startsWith('.statestore/history/'))).toBe(true);
    expect(keys.filter((k) => k === 'config' || k.endsWith('/config')).sort()).toEqual([`${CLUSTER}/config`, 'other.example.com/config']);
    const clusters = await ok(t, ['get', 'clusters']);
    expect(clusters.stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/)[0])).toEqual([CLUSTER, 'other.example.com']);
  });
});
