/**
 * backend/capabilities owns when a driver's capabilities become facts. A driver either knows them at once
 * (a frozen object) or settles them with one request before its first conditional write
 * (`settleCapabilities`); core asks here, once per driver, and only then picks a strategy (compare-and-swap,
 * a lease on atomic create, or refusal). A settlement that fails is forgotten, so the next conditional
 * write asks again; one that succeeds is frozen and never changes.
 */
import type { Backend, Capabilities } from './backend.js';

const settled = new WeakMap<Backend, Promise<Readonly<Capabilities>>>();

/**
 * The driver's capabilities as facts, settling them first if the driver needs a request to know them.
 * Call before any conditional write; never from a read (settling may write a probe object). `key` is the
 * key about to be written: a driver that probes does so next to it, where the caller may write.
 */
export function settledCapabilities(backend: Backend, options: { signal?: AbortSignal | undefined; key?: string } = {}): Promise<Readonly<Capabilities>> {
  let pending = settled.get(backend);
  if (!pending) {
    const { signal, key } = options;
    pending = backend.settleCapabilities
      ? backend.settleCapabilities({ ...(signal ? { signal } : {}), ...(key !== undefined ? { key } : {}) }).then(freezeCapabilities)
      : Promise.resolve(freezeCapabilities(backend.capabilities));
    settled.set(backend, pending);
    pending.catch(() => {
      if (settled.get(backend) === pending) settled.delete(backend);
    });
  }
  return pending;
}

/** Freezes a capabilities object (and its lists) in place and returns it. */
export function freezeCapabilities(capabilities: Readonly<Capabilities>): Readonly<Capabilities> {
  if (Object.isFrozen(capabilities)) return capabilities;
  Object.freeze(capabilities.hashes);
  if (capabilities.notes) Object.freeze(capabilities.notes);
  return Object.freeze(capabilities);
}
