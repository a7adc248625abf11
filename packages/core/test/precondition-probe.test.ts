/**
 * The driver kit's precondition probe: a service that honours every precondition is declared so; one that
 * accepts a precondition and ignores it (as fake-gcs-server does on deletes and copies) is declared not to
 * honour it; nothing the probe wrote is left behind.
 */
import { describe, expect, it } from 'vitest';
import { probePreconditions, type ProbeOperations } from '../src/driver-kit/index.js';
import { MemfsBackend } from '../src/index.js';

function operationsOf(backend: MemfsBackend, ignore: { delete?: boolean; copy?: boolean; write?: boolean } = {}): ProbeOperations {
  return {
    write: (key, body, o) => backend.write(key, body, ignore.write ? {} : o),
    delete: (key, o) => backend.delete(key, ignore.delete ? {} : o),
    copy: (from, to, o) => backend.copy(from, to, ignore.copy ? {} : o),
  };
}

async function keysOf(backend: MemfsBackend): Promise<string[]> {
  return (await backend.list('')).objects.map((o) => o.key);
}

describe('probePreconditions', () => {
  it('declares what a service honours, and leaves nothing behind', async () => {
    const backend = new MemfsBackend();
    expect(await probePreconditions(operationsOf(backend), 'dir/')).toEqual({ atomicCreate: true, compareAndSwap: true, conditionalDelete: true, copyIfAbsent: true });
    expect(await keysOf(backend)).toEqual([]);
  });

  it('declares false what a service accepts and ignores', async () => {
    const backend = new MemfsBackend();
    expect(await probePreconditions(operationsOf(backend, { delete: true, copy: true }), '')).toEqual({
      atomicCreate: true,
      compareAndSwap: true,
      conditionalDelete: false,
      copyIfAbsent: false,
    });
    expect(await probePreconditions(operationsOf(backend, { write: true }), '')).toMatchObject({ atomicCreate: false, compareAndSwap: false });
    expect(await keysOf(backend)).toEqual([]);
  });
});
