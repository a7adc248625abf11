/**
 * conformance/expect-error owns the small assertions the suites share: an operation fails with a given
 * typed error (never a different one, never success), and a bounded-concurrency loop for preparing files.
 */
import type { StatestoreError } from '../errors/errors.js';

/** Awaits `promise` and returns its error, which `guard` must accept; fails when it succeeds or fails otherwise. */
export async function expectCode(promise: Promise<unknown>, guard: (e: unknown) => e is StatestoreError, what: string): Promise<StatestoreError>;
export async function expectCode(promise: Promise<unknown>, guard: (e: unknown) => boolean, what: string): Promise<unknown>;
export async function expectCode(promise: Promise<unknown>, guard: (e: unknown) => boolean, what: string): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    if (!guard(e)) throw new Error(`expected ${what}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return e;
  }
  throw new Error(`expected ${what}, but the operation succeeded`);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function parallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
