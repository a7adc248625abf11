/**
 * What a command may touch of the outside world: output streams, input, environment, working folder,
 * whether a person is at a terminal. The real process by default; tests pass their own. Also copying a
 * stream to an output with backpressure, so large files pass through in bounded memory.
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

/**
 * Writes every chunk of `body` to `out`, waiting for 'drain' whenever a write reports a full buffer (when
 * `out` is a stream), so memory stays bounded however large the body; fails if `out` closes or errors first.
 */
export async function copyToOutput(out: Io['stdout'], body: AsyncIterable<Uint8Array>): Promise<void> {
  const emitter = out as Partial<Pick<NodeJS.WritableStream, 'once' | 'off'>>;
  for await (const chunk of body) {
    if (out.write(chunk) !== false || typeof emitter.once !== 'function') continue;
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        emitter.off!('drain', onDrain);
        emitter.off!('error', onError);
        emitter.off!('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => settle();
      const onError = (e: Error) => settle(e);
      const onClose = () => settle(new Error('the output was closed before everything was written'));
      emitter.once!('drain', onDrain);
      emitter.once!('error', onError);
      emitter.once!('close', onClose);
    });
  }
}
