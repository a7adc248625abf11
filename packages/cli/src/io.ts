/**
 * What a command may touch of the outside world: output streams, input, environment, working folder,
 * whether a person is at a terminal. The real process by default; tests pass their own.
 */
import type { Readable } from 'node:stream';

export interface Io {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string | Uint8Array): unknown };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdin and stdout are terminals (someone can answer a question). */
  interactive: boolean;
  /** stdout is a terminal and NO_COLOR is not set. */
  color: boolean;
}

export function processIo(): Io {
  const env = process.env;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    color: Boolean(process.stdout.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb',
  };
}
