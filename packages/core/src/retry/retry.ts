/**
 * retry/ owns retrying Transient errors: jittered exponential backoff ("full jitter"), bounded by both an
 * attempt count and a deadline, cancellable by AbortSignal. No driver retries on its own.
 */
import { TransientError, isTransient } from '../errors/errors.js';

export interface RetryPolicy {
  /** Attempts in all, including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No new attempt starts after this many ms from the first. */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 5_000, deadlineMs: 60_000 };

/** Full-jitter delay for the n-th retry (n from 1). */
export function backoffDelay(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, retry: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** True when an earlier attempt failed in a way that leaves its effect unknown (the request may have been applied). */
  outcomeUnknown: boolean;
}

/** Runs `operation`, retrying TransientErrors by the policy. Other errors pass through at once. */
export async function withRetry<T>(
  operation: (context: RetryContext) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  signal?: AbortSignal,
  onRetry?: (error: TransientError, attempt: number, delayMs: number) => void,
): Promise<T> {
  const started = Date.now();
  let outcomeUnknown = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation({ attempt, outcomeUnknown });
    } catch (error) {
      if (!isTransient(error) || signal?.aborted) throw error;
      outcomeUnknown = true;
      const delay = backoffDelay(policy, attempt);
      if (attempt >= policy.maxAttempts || Date.now() - started + delay > policy.deadlineMs) {
        error.message = `${error.message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} in ${Date.now() - started} ms)`;
        throw error;
      }
      onRetry?.(error, attempt, delay);
      await sleep(delay, signal);
    }
  }
}
