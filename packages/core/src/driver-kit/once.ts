/**
 * driver-kit/once owns "find this out once": the first call runs the work and every caller shares its
 * promise; a rejection is forgotten (so the next call tries again, as after a network failure), and a fact
 * found stale can be forgotten on purpose. What drivers set up lazily (an SDK, a client, a region, a
 * bucket's settings, a probe) goes through it.
 */

/** A shared, retried-on-failure lazy value. */
export interface Once<T> {
  /**
   * The value: the pending or fulfilled promise, or a new run of the work. `work` given here runs instead
   * of the one given to `once` (for work that needs the caller's arguments, such as where to probe).
   */
  (work?: () => Promise<T>): Promise<T>;
  /** Forgets the value (the next call runs the work again). */
  reset(): void;
  /** Whether a run is pending or has succeeded. */
  readonly started: boolean;
}

/** `work`, run at most once at a time and kept once it succeeds; a rejection is not kept. */
export function once<T>(work?: () => Promise<T>): Once<T> {
  let current: Promise<T> | undefined;
  const get = ((given?: () => Promise<T>) => {
    if (!current) {
      const run = given ?? work;
      if (!run) throw new TypeError('once(): no work to run');
      const pending = Promise.resolve().then(run);
      current = pending;
      pending.catch(() => {
        if (current === pending) current = undefined;
      });
    }
    return current;
  }) as Once<T>;
  get.reset = () => {
    current = undefined;
  };
  Object.defineProperty(get, 'started', { get: () => current !== undefined });
  return get;
}
