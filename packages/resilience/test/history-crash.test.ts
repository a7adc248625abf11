/**
 * SIGKILL at the two points that matter, on stock MinIO: a `statestore set` whose requests go through a proxy that
 * never delivers one chosen request, killed the moment that request arrives. Killed waiting on its log entry (the
 * state write landed): `history` shows the change, unconfirmed, with its author and message, and the next write
 * records it. Killed waiting on its state write (the intent was written): `history` shows no change at all.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolvePath, type HistoryView } from '@statestore/core';
import { startFaultProxy } from '@statestore/testkit/fault-proxy';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from './support/cli.js';
import { cliEnv, directEndpoint, freshStoreUrl } from './support/stores.js';

const NAME = 'crash.example.com';

/** Runs `statestore ARGS` against `endpoint` and kills it (SIGKILL) when `stuck` resolves; resolves to how it ended. */
function killedAt(args: string[], env: NodeJS.ProcessEnv, stuck: Promise<unknown>): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' });
  void stuck.then(() => child.kill('SIGKILL'));
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
}

async function setUp() {
  const url = await freshStoreUrl('s3', '/tmp');
  const env = { ...cliEnv('s3'), HOME: mkdtempSync(path.join(os.tmpdir(), 'statestore-home-')), KOPS_STATE_STORE: url };
  expect((await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', '-m', 'create'], env)).code).toBe(0);
  return { url, env };
}

async function history(env: NodeJS.ProcessEnv): Promise<HistoryView> {
  const r = await runCli(['history', NAME, '-o', 'json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as HistoryView;
}

/** A proxy in front of MinIO that never delivers the first PUT matching `target`, and says when it arrives. */
async function stallingProxy(target: RegExp) {
  let arrived!: (req: IncomingMessage) => void;
  const stuck = new Promise<IncomingMessage>((resolve) => (arrived = resolve));
  let stalled = false;
  const proxy = await startFaultProxy({
    target: directEndpoint('s3'),
    seed: 1,
    rates: {},
    stall: (req) => {
      if (stalled || req.method !== 'PUT' || !target.test(decodeURIComponent(new URL(req.url ?? '/', 'http://proxy').pathname))) return false;
      stalled = true;
      return true;
    },
    onStall: (req) => arrived(req),
  });
  return { proxy, stuck };
}

describe('history across a SIGKILL (stock MinIO)', () => {
  it('killed between the state write and the log entry: the change shows as unconfirmed with its author, and is recorded by the next write', async () => {
    const { url, env } = await setUp();
    const { proxy, stuck } = await stallingProxy(new RegExp(`/\\.statestore/history/${NAME.replace(/\./g, '\\.')}/log/`));
    try {
      const signal = await killedAt(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.31.9', '-m', 'killed midway'], { ...env, S3_ENDPOINT: proxy.url, STATESTORE_ACTOR: 'victim' }, stuck);
      expect(signal).toBe('SIGKILL');
    } finally {
      await proxy.close();
    }
    const store = await resolvePath(url, { env: cliEnv('s3') });
    expect(await store.join(NAME, 'config').readText()).toContain('kubernetesVersion: 1.31.9');
    const seen = await history(env);
    expect(seen.unrecorded).toEqual([expect.objectContaining({ kind: 'unconfirmed', attribution: expect.objectContaining({ actor: 'victim', message: 'killed midway' }), files: [{ path: 'config', change: 'changed' }] })]);
    expect(seen.revisions.map((r) => r.attribution?.message)).toEqual(['create']);

    expect((await runCli(['set', 'cluster', NAME, 'spec.kubelet.maxPods=50', '-m', 'next'], env)).code).toBe(0);
    const recorded = await history(env);
    expect(recorded.unrecorded).toEqual([]);
    expect(recorded.revisions.map((r) => [r.kind, r.attribution?.message])).toEqual([
      ['statestore', 'next'],
      ['unconfirmed', 'killed midway'],
      ['statestore', 'create'],
    ]);
    expect(recorded.revisions[1]!.id).toBe(seen.unrecorded[0]!.id);
  });

  it('killed before its state write: history shows no change, and the config is as it was', async () => {
    const { url, env } = await setUp();
    const store = await resolvePath(url, { env: cliEnv('s3') });
    const before = await store.join(NAME, 'config').readText();
    const intents = store.join('.statestore', 'history', NAME, 'intents');
    const announced = (await intents.readDir()).length;
    const { proxy, stuck } = await stallingProxy(new RegExp(`/${NAME.replace(/\./g, '\\.')}/config$`));
    try {
      const signal = await killedAt(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.31.9', '-m', 'never landed'], { ...env, S3_ENDPOINT: proxy.url }, stuck);
      expect(signal).toBe('SIGKILL');
    } finally {
      await proxy.close();
    }
    expect(await store.join(NAME, 'config').readText()).toBe(before);
    expect((await intents.readDir()).length).toBe(announced + 1); // the set's intent, for a write that never landed
    const seen = await history(env);
    expect(seen.unrecorded).toEqual([]);
    expect(seen.revisions.map((r) => r.attribution?.message)).toEqual(['create']);
  });
});
