/** Running the built `statestore` command as a child process. */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const CLI = path.resolve(import.meta.dirname, '../../../cli/dist/bin.js');

/** Every CLI output of the suite is kept here too, so the secrets test can scan all of it. */
export const CAPTURE_DIR = path.resolve(import.meta.dirname, '../.captured');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...env, NO_COLOR: '1' }, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      mkdirSync(CAPTURE_DIR, { recursive: true });
      appendFileSync(path.join(CAPTURE_DIR, `cli-${process.pid}.log`), `$ statestore ${args.join(' ')}\n${stdout}${stderr}\n`);
      resolve({ code, stdout, stderr });
    });
  });
}
