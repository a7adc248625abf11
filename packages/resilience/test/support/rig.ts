/**
 * The fault rig's plumbing: a fresh file to append to on each backend (opened directly or through a fault
 * proxy), writer processes (support/append-worker.mjs) whose every operation lands in a History, and the
 * process-level faults: SIGKILL and SIGSTOP of a writer while it holds the update, and a skewed clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { resolvePath, type ResolveOptions, type VfsPath } from '@statestore/core';
import { History, outcomeOfError } from './checker.js';
import { createBucket, directCa, directEndpoint, envFor } from './stores.js';

/** Backends the rig runs writer processes against (memfs lives in one process: it is covered in-process). */
export type RigBackend = 'file' | 's3' | 'gs' | 'oss' | 'vault' | 'k8s' | 'swift';

/** Leases scaled down so that takeovers happen within a test (production default: 30 s). */
export const RIG_LEASE_MS = 1_500;
export const RIG_OPTIONS: ResolveOptions = { lockLeaseMs: RIG_LEASE_MS, updateDeadlineMs: 120_000, retry: { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 100, deadlineMs: 30_000 } };
/** In this process: the same, without notices (a rig loses leases on purpose). */
export const QUIET = { log: () => undefined };

export interface RigStore {
  backend: RigBackend;
  /** The file every writer appends to. */
  url: string;
  /** Environment for a writer process (and for resolvePath in this one). */
  env: NodeJS.ProcessEnv;
  /** The real server's address, for a fault proxy to forward to (undefined for file://). */
  upstream?: string;
  /** The CA to trust at `upstream` when it is HTTPS. */
  upstreamCa?: string;
  /** The same store reached through `proxy` (an http://127.0.0.1:PORT that forwards to `upstream`). */
  through(proxy: string): RigStore;
  /** Opens the file in this process. */
  open(options?: ResolveOptions): Promise<VfsPath>;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rig-'));

function store(backend: RigBackend, url: string, env: NodeJS.ProcessEnv, upstream: string | undefined, rewrite: (proxy: string) => { url: string; env: NodeJS.ProcessEnv }, upstreamCa?: string): RigStore {
  return {
    backend,
    url,
    env,
    ...(upstream ? { upstream } : {}),
    ...(upstreamCa ? { upstreamCa } : {}),
    through: (proxy) => {
      const r = rewrite(proxy);
      return store(backend, r.url, r.env, upstream, rewrite, upstreamCa);
    },
    open: (options = {}) => resolvePath(url, { env, ...RIG_OPTIONS, logger: QUIET, ...options }),
  };
}

/** A fresh, empty place on `backend` and the file to append to there. */
export async function rigStore(backend: RigBackend): Promise<RigStore> {
  const run = `rig-${randomUUID().slice(0, 8)}`;
  if (backend === 'file') return store('file', `file://${tmp}/${run}/list`, { ...process.env }, undefined, () => ({ url: `file://${tmp}/${run}/list`, env: { ...process.env } }));
  if (backend === 's3' || backend === 'gs' || backend === 'k8s') {
    const bucket = await createBucket(backend);
    const url = `${backend}://${bucket}/${run}/list`;
    return store(backend, url, envFor(backend), directEndpoint(backend), (proxy) => ({ url, env: envFor(backend, proxy) }), directCa(backend));
  }
  if (backend === 'oss') {
    const o = inject('oss');
    const env = (endpoint: string) => ({ ...process.env, OSS_ENDPOINT: endpoint, OSS_REGION: `oss-${o.region}`, ALIYUN_ACCESS_KEY_ID: o.accessKeyId, ALIYUN_ACCESS_KEY_SECRET: o.accessKeySecret });
    const url = `oss://${o.bucket}/${run}/list`;
    return store('oss', url, env(o.endpoint), o.endpoint, (proxy) => ({ url, env: env(proxy) }));
  }
  if (backend === 'swift') {
    const w = inject('swift');
    const env = (authUrl: string) => ({ ...process.env, OS_AUTH_URL: authUrl, OS_USERNAME: w.user, OS_PASSWORD: w.key, HOME: '/nonexistent-statestore-home' });
    const url = `swift://resilience-${run}/r/list`;
    // tempauth's storage URL follows the Host header, so a proxy in front of the auth URL carries everything
    return store('swift', url, env(w.authUrl), new URL(w.authUrl).origin, (proxy) => ({ url, env: env(`${proxy}/auth/v1.0`) }));
  }
  const v = inject('vault');
  const env = { ...process.env, VAULT_TOKEN: v.rootToken, STATESTORE_FEATURE_FLAGS: 'VFSVaultSupport' };
  const urlAt = (hostPort: string) => `vault://${hostPort}/${v.kvMount}/${run}/list?tls=false`;
  return store('vault', urlAt(v.hostPort), env, v.address, (proxy) => ({ url: urlAt(new URL(proxy).host), env }));
}

/** The tokens appended to the file (its final state). */
export async function tokensIn(s: RigStore): Promise<string[]> {
  const f = await s.open();
  const current = await f.readVersioned();
  return current ? new TextDecoder().decode(current.bytes).split(',').filter(Boolean) : [];
}

const WORKER = fileURLToPath(new URL('./append-worker.mjs', import.meta.url));
const SKEW_HOOK = new URL('../../../testkit/dist/skew-clock.js', import.meta.url).href;

export interface WriterOptions {
  prefix: string;
  count: number;
  /** How long the update function lingers after it reported "holding" (ms). */
  holdMs?: number;
  /** Shift of this writer's wall clock (ms). */
  skewMs?: number;
  /** Called when the writer holds an update (inside updateFile's function). */
  onHolding?: (writer: Writer, id: string) => void;
}

export interface Writer {
  child: ChildProcess;
  /** Resolves when the process has exited (for any reason). */
  exited: Promise<number | null>;
  /** Operations this writer completed (any outcome). */
  completed: number;
}

/** Starts one writer process appending `count` tokens `prefix-0…` to the store's file. */
export function startWriter(s: RigStore, history: History, options: WriterOptions): Writer {
  const child = spawn(process.execPath, [...(options.skewMs ? ['--import', SKEW_HOOK] : []), WORKER], {
    env: {
      ...s.env,
      RIG_URL: s.url,
      RIG_PREFIX: options.prefix,
      RIG_COUNT: String(options.count),
      RIG_HOLD_MS: String(options.holdMs ?? 0),
      RIG_OPTIONS: JSON.stringify(RIG_OPTIONS),
      ...(options.skewMs ? { STATESTORE_TEST_CLOCK_SKEW_MS: String(options.skewMs) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4_000);
  });
  const writer: Writer = {
    child,
    completed: 0,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let event: { op: string; id: string; code?: string; message?: string };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.op === 'invoke') history.invoke(event.id);
    else if (event.op === 'holding') options.onHolding?.(writer, event.id);
    else if (event.op === 'ok') {
      history.complete(event.id, 'ok');
      writer.completed++;
    } else if (event.op === 'error') {
      history.complete(event.id, outcomeOfError(event.code), `${event.code}: ${event.message}`);
      writer.completed++;
    }
  });
  void writer.exited.then((code) => {
    if (code !== 0 && code !== null && stderr) process.stderr.write(`[rig] writer ${options.prefix} exited ${code}: ${stderr}\n`);
  });
  return writer;
}
