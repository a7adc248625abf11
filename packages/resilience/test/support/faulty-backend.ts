/**
 * A driver that wraps another (memfs, in the rig) and misbehaves as a network and a service can: answers
 * lost after a write was applied, writes held back (and never delivered if the caller gives up first),
 * latency on every request so that concurrent callers interleave, capabilities narrowed to atomic create
 * only (as OSS).
 */
import {
  TransientError,
  type Backend,
  type Capabilities,
  type DeleteOptions,
  type ListOptions,
  type ObjectInfo,
  type ReadOptions,
  type WriteBody,
  type WriteOptions,
} from '@statestore/core';
import { seededRandom } from '@statestore/testkit/seeded-random';

export interface Faults {
  seed?: number;
  /** Probability that a write's answer is lost after the write was applied. */
  lostAnswer?: number;
  /** Probability that a write is held back `holdMs` before it reaches the store. */
  hold?: number;
  holdMs?: number;
  /** Latency on every request, 0…maxLatencyMs. */
  maxLatencyMs?: number;
  /** Declare atomic create only (no compare-and-swap, no conditional delete). */
  atomicCreateOnly?: boolean;
}

export class FaultyBackend implements Backend {
  private readonly random: () => number;
  readonly counts = { lostAnswers: 0, held: 0, heldDropped: 0 };

  constructor(
    readonly inner: Backend,
    private readonly faults: Faults,
  ) {
    this.random = seededRandom(faults.seed ?? 1);
  }

  get capabilities(): Readonly<Capabilities> {
    const caps = this.inner.capabilities;
    return Object.freeze(this.faults.atomicCreateOnly ? { ...caps, compareAndSwap: false, conditionalDelete: false } : { ...caps });
  }

  urlFor(key: string): string {
    return this.inner.urlFor(key);
  }

  private async latency(): Promise<void> {
    if (this.faults.maxLatencyMs) await new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * (this.faults.maxLatencyMs! + 1))));
  }

  async stat(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo | undefined> {
    await this.latency();
    return this.inner.stat(key, options);
  }

  async read(key: string, options?: ReadOptions) {
    await this.latency();
    return this.inner.read(key, options);
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    await this.latency();
    if (this.faults.hold && this.random() < this.faults.hold) {
      this.counts.held++;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.faults.holdMs ?? 1_000);
        options.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            this.counts.heldDropped++;
            reject(options.signal!.reason);
          },
          { once: true },
        );
      });
    }
    const info = await this.inner.write(key, body, options);
    if (this.faults.lostAnswer && this.random() < this.faults.lostAnswer) {
      this.counts.lostAnswers++;
      throw new TransientError('the answer was lost after the write was applied');
    }
    return info;
  }

  async delete(key: string, options?: DeleteOptions): Promise<void> {
    await this.latency();
    return this.inner.delete(key, options);
  }

  list(prefix: string, options?: ListOptions) {
    return this.inner.list(prefix, options);
  }
}
