/**
 * Test helpers: run the built CLI as a child process (HOME pointed at a fresh temp folder, no colour),
 * or in-process through main() with captured output (needed for memfs://, which lives in one process).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { PluginRegistry } from '@statestore/core';
import { loopbackEnv } from '@statestore/testkit/loopback';
import { main } from '../src/main.js';

export const BIN = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'dist', 'bin.js');
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kops');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'statestore-cli-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** An environment without the caller's kops settings (HOME is a fresh temp folder unless given), with the loopback guard. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: tempDir('statestore-home-'), NO_COLOR: '1', ...loopbackEnv({}), ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: options.env ?? cleanEnv(), cwd: options.cwd ?? tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs main() in this process with captured output. */
export async function runInProcess(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; registry?: PluginRegistry; interactive?: boolean; input?: string; cwd?: string } = {},
): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const text = (chunk: string | Uint8Array) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  const code = await main(
    args,
    {
      stdout: { write: (c) => (stdout += text(c)) },
      stderr: { write: (c) => (stderr += text(c)) },
      stdin: Readable.from([options.input ?? '']),
      env: options.env ?? cleanEnv(),
      cwd: options.cwd ?? tmpdir(),
      interactive: options.interactive ?? false,
      color: false,
    },
    { registry: options.registry },
  );
  return { code, stdout, stderr };
}
