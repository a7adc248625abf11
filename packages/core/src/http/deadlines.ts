/**
 * http/deadlines owns how long a request may take, derived from the one knob users have,
 * STATESTORE_TIMEOUT (T, default 60 s): a call that returns a whole answer (stat, list, delete, a write of
 * bytes, a copy) must be done within REQUEST_DEADLINE_TIMEOUTS × T, plus the time its bytes need at the
 * minimum rate; a stream (a read's body, a streamed upload) has no overall limit but must move at least
 * MIN_BYTES_PER_SECOND while it is waited for, measured over windows of T. A 1 GiB transfer at any useful
 * speed is never cut off for being long; a stalled or trickling server is, and so every command ends.
 */
import { InvalidConfigError } from '../errors/errors.js';

/** A whole-answer call gets this many STATESTORE_TIMEOUTs (connect, authenticate, answer). */
export const REQUEST_DEADLINE_TIMEOUTS = 3;
/** The slowest a stream may move while it is waited for. */
export const MIN_BYTES_PER_SECOND = 1024;

export interface Deadlines {
  /** STATESTORE_TIMEOUT, ms. */
  timeoutMs: number;
  /** A whole-answer call without a body to send: REQUEST_DEADLINE_TIMEOUTS × timeoutMs. */
  requestMs: number;
  /** The minimum-throughput rule for streams: at least `minBytes` in every `windowMs` of waiting. */
  throughput: { windowMs: number; minBytes: number };
}

/** The deadlines for an environment (STATESTORE_TIMEOUT). */
export function deadlinesFrom(env: NodeJS.ProcessEnv = process.env): Deadlines {
  const timeoutMs = timeoutMsFrom(env);
  return {
    timeoutMs,
    requestMs: REQUEST_DEADLINE_TIMEOUTS * timeoutMs,
    throughput: { windowMs: timeoutMs, minBytes: Math.ceil((MIN_BYTES_PER_SECOND * timeoutMs) / 1000) },
  };
}

/** The deadline of a call that also moves `bytes`: the request deadline plus their time at the minimum rate. */
export function deadlineFor(deadlines: Deadlines, bytes = 0): number {
  return deadlines.requestMs + Math.ceil((bytes / MIN_BYTES_PER_SECOND) * 1000);
}

/** STATESTORE_TIMEOUT in ms (default 60 s); InvalidConfigError when it is not a positive number of seconds. */
export function timeoutMsFrom(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.STATESTORE_TIMEOUT ?? '60');
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidConfigError(`STATESTORE_TIMEOUT=${env.STATESTORE_TIMEOUT} is not a positive number of seconds`);
  return seconds * 1000;
}
