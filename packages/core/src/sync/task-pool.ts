/**
 * sync/task-pool owns bounded concurrency with back-pressure: `submit` waits for a free slot before it
 * starts a task, so a producer (a listing) can never run ahead of the work by more than `limit` tasks.
 */
export class TaskPool {
  private running = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`A task pool needs a whole positive limit, not ${limit}`);
  }

  /** Resolves once the task has started (not finished). Tasks should handle their own errors; an escaping one fails `drain`. */
  async submit(task: () => Promise<void>): Promise<void> {
    while (this.running >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.running++;
    const p: Promise<void> = task()
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => {
        this.running--;
        this.inFlight.delete(p);
        this.waiters.shift()?.();
      });
    this.inFlight.add(p);
  }

  /** Waits until every submitted task has finished; rethrows the first error a task let escape. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    if (this.failure !== undefined) throw this.failure;
  }
}
