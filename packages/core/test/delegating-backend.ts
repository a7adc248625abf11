/** A test driver that wraps another and lets a test observe or disturb calls. */
import type { Backend, DeleteManyResult, ListOptions, ObjectInfo, ReadOptions, WriteBody, WriteOptions } from '../src/index.js';

export class DelegatingBackend implements Backend {
  calls: string[] = [];
  inFlightWrites = 0;
  maxInFlightWrites = 0;
  /** Called after the inner write succeeded; may throw (or reject) to simulate a lost response. */
  afterWrite: ((key: string, options: WriteOptions) => void | Promise<void>) | undefined;
  writeDelayMs = 0;
  deleteManyErrors = new Set<string>();

  constructor(readonly inner: Backend) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  urlFor(key: string) {
    return this.inner.urlFor(key);
  }
  stat(key: string) {
    this.calls.push(`stat ${key}`);
    return this.inner.stat(key);
  }
  read(key: string, options?: ReadOptions) {
    this.calls.push(`read ${key}`);
    return this.inner.read(key, options);
  }
  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    this.calls.push(`write ${key}`);
    this.inFlightWrites++;
    this.maxInFlightWrites = Math.max(this.maxInFlightWrites, this.inFlightWrites);
    try {
      if (this.writeDelayMs) await new Promise((r) => setTimeout(r, this.writeDelayMs));
      const info = await this.inner.write(key, body, options);
      await this.afterWrite?.(key, options);
      return info;
    } finally {
      this.inFlightWrites--;
    }
  }
  delete(key: string, options?: { ifMatch?: string }) {
    this.calls.push(`delete ${key}`);
    return this.inner.delete(key, options);
  }
  list(prefix: string, options?: ListOptions) {
    this.calls.push(`list ${prefix}${options?.delimiter ? ` delimiter=${options.delimiter}` : ''}`);
    return this.inner.list(prefix, options);
  }
  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    const result: DeleteManyResult = { deleted: [], errors: [] };
    for (const key of keys) {
      if (this.deleteManyErrors.has(key)) result.errors.push({ key, error: new Error('AccessDenied') });
      else {
        await this.inner.delete(key);
        result.deleted.push(key);
      }
    }
    return result;
  }
}
