/**
 * Starting and stopping a real server as a local process for tests: a free 127.0.0.1 port, a temp
 * folder, readiness polling, the server's output kept for the failure message, and a kill on exit.
 * A server that cannot start is a thrown error (the suite fails loudly), never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface StartedProcess {
  child: ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the server answers. */
  ready: () => Promise<boolean>;
  /** How long to wait for readiness (default 60 s). */
  timeoutMs?: number;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The cache of installed server binaries (scripts/install-test-servers.sh writes it). */
export function serverCache(): string {
  return process.env.STATESTORE_CACHE ?? path.join(os.homedir(), '.cache', 'statestore');
}

/** Path of an installed binary, or a loud error telling how to install it. */
export function installedBinary(relative: string, installTarget: string): string {
  const file = path.join(serverCache(), relative);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing. Install the test servers first: bash scripts/install-test-servers.sh ${installTarget}`);
  }
  return file;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `statestore-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** HTTP GET that resolves to the status code, or 0 when nothing answers. */
export async function httpStatus(url: string, init: RequestInit = {}): Promise<number> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  } catch {
    return 0;
  }
}

export async function startProcess(options: StartOptions): Promise<StartedProcess> {
  const chunks: string[] = [];
  const child = spawn(options.command, options.args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()));
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
    running.delete(child);
  });
  child.once('error', (e) => {
    exited = `failed to start: ${e.message}`;
  });
  const output = () => chunks.join('').slice(-8_000);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${options.name} ${exited} before it was ready. Its output:\n${output()}`);
    if (await options.ready()) {
      process.stderr.write(`[testkit] ${options.name} ready (pid ${child.pid})\n`);
      return { child, output, stop };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`${options.name} did not become ready within ${options.timeoutMs ?? 60_000} ms. Its output:\n${output()}`);
}
