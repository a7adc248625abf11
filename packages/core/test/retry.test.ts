import { describe, expect, it } from 'vitest';
import { TransientError, backoffDelay, isTransient, NotFoundError, withRetry } from '../src/index.js';

const fast = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 4, deadlineMs: 5_000 };

describe('withRetry', () => {
  it('retries Transient errors and succeeds', async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      if (++calls < 3) throw new TransientError('503');
      return 'ok';
    }, fast);
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });
  it('passes other errors through at once', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new NotFoundError('nope'); }, fast)).rejects.toThrow('nope');
    expect(calls).toBe(1);
  });
  it('is bounded by attempts and says so', async () => {
    let calls = 0;
    const e = await withRetry(async () => { calls++; throw new TransientError('still down'); }, fast).catch((x) => x);
    expect(isTransient(e)).toBe(true);
    expect(calls).toBe(5);
    expect(e.message).toMatch(/gave up after 5 attempts/);
  });
  it('is cancellable by an AbortSignal', async () => {
    const controller = new AbortController();
    const p = withRetry(async () => { throw new TransientError('x'); }, { ...fast, baseDelayMs: 10_000, maxDelayMs: 10_000, maxAttempts: 10, deadlineMs: 60_000 }, controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled')), 20);
    await expect(p).rejects.toThrow('cancelled');
  });
  it('tells the operation when an earlier attempt may have been applied', async () => {
    const seen: boolean[] = [];
    await withRetry(async ({ outcomeUnknown }) => {
      seen.push(outcomeUnknown);
      if (seen.length === 1) throw new TransientError('reset');
    }, fast);
    expect(seen).toEqual([false, true]);
  });
  it('uses full jitter below an exponential ceiling', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(policy, 1, () => 0.999)).toBeLessThan(100);
    expect(backoffDelay(policy, 3, () => 0.999)).toBeLessThan(400);
    expect(backoffDelay(policy, 30, () => 0.999)).toBeLessThan(1000);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });
});
