/**
 * The `kops` program on PATH: finding it, the command line Statestore hands over to it, and running it
 * with the caller's environment, its output passed through.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

/** The first executable `kops` on PATH, or undefined. */
export async function findKops(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const names = process.platform === 'win32' ? ['kops.exe', 'kops.cmd', 'kops'] : ['kops'];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Shell-quotes one argument for a command line shown to the user. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs kops with `args`, passing its output to the given writers; resolves with its exit code. */
export function runKops(
  kops: string,
  args: readonly string[],
  io: { env: NodeJS.ProcessEnv; cwd: string; stdout: { write(chunk: string): unknown }; stderr: { write(chunk: string): unknown } },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(kops, [...args], { env: io.env, cwd: io.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => io.stdout.write(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => io.stderr.write(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
