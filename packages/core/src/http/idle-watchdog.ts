/**
 * A watchdog for response streams: if nothing arrives for `ms` (no response, no data), the stream is
 * destroyed with a TransientError, so a stalled connection becomes a retryable failure instead of a hang.
 */
import type { Readable } from 'node:stream';
import { TransientError } from '../errors/errors.js';

/** Watches `stream`; returns a function that stops watching. Activity is any 'data' or 'response' event. */
export function watchIdle(stream: Readable, ms: number, what: string): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stream.destroy(new TransientError(`${what}: no data for ${ms} ms; the connection stalled`)), ms);
    timer.unref();
  };
  const stop = () => {
    clearTimeout(timer);
    stream.off('data', arm);
    stream.off('response', arm);
  };
  stream.on('data', arm);
  stream.on('response', arm);
  stream.once('close', stop);
  stream.once('end', stop);
  arm();
  return stop;
}
