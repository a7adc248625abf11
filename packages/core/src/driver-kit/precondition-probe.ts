/**
 * driver-kit/precondition-probe owns finding out, with a temporary object, which conditional requests a
 * service really honours. Emulators and S3-compatible servers accept a precondition and silently ignore it
 * (fake-gcs-server deletes whatever generation is named; its rewrite overwrites with ifGenerationMatch=0),
 * and a driver that trusted them would lose updates. A driver calls this once per store, before its first
 * conditional request, with its own unguarded operations (core's typed errors: PreconditionFailed or
 * AlreadyExists for a refusal), and declares only what it saw work. A failure that says nothing about the
 * service (a reset, a 5xx) is rethrown: the probe is inconclusive and runs again before the next one.
 */
import { randomUUID } from 'node:crypto';
import { isAlreadyExists, isPreconditionFailed } from '../errors/errors.js';

/** A driver's own operations, without any capability check; versions are the driver's version tokens. */
export interface ProbeOperations {
  write(key: string, body: Uint8Array, options: { ifNoneMatch?: '*'; ifMatch?: string }): Promise<{ version: string }>;
  delete(key: string, options: { ifMatch?: string }): Promise<void>;
  /** Server-side copy, where the driver has one. */
  copy?(sourceKey: string, targetKey: string, options: { ifNoneMatch?: '*' }): Promise<unknown>;
}

/** What the probe saw the service honour. */
export interface ProbeVerdict {
  atomicCreate: boolean;
  compareAndSwap: boolean;
  conditionalDelete: boolean;
  /** A server-side copy onto an existing object with "only if absent" was refused. */
  copyIfAbsent: boolean;
}

/** Temporary objects start with this name (safe to delete when a crash left one behind). */
export const PROBE_NAME_PREFIX = '.statestore-tmp-probe-';

/** Runs the probe in folder `dir` (`''` or ending in `/`), removing what it wrote. */
export async function probePreconditions(ops: ProbeOperations, dir: string): Promise<ProbeVerdict> {
  const key = `${dir}${PROBE_NAME_PREFIX}${randomUUID()}`;
  const other = `${key}-copy`;
  const body = new TextEncoder().encode('statestore precondition probe; safe to delete\n');
  const refused = async (request: () => Promise<unknown>): Promise<boolean> => {
    try {
      await request();
      return false;
    } catch (e) {
      if (isPreconditionFailed(e) || isAlreadyExists(e)) return true;
      throw e;
    }
  };
  const written: string[] = [];
  try {
    const first = await ops.write(key, body, { ifNoneMatch: '*' });
    written.push(key);
    const atomicCreate = await refused(() => ops.write(key, body, { ifNoneMatch: '*' }));
    const stale = first.version;
    const current = (await ops.write(key, body, {})).version;
    const staleWriteRefused = stale !== current && (await refused(() => ops.write(key, body, { ifMatch: stale })));
    const currentWriteAccepted = staleWriteRefused && !(await refused(() => ops.write(key, body, { ifMatch: current })));
    let copyIfAbsent = false;
    if (ops.copy) {
      await ops.write(other, body, {});
      written.push(other);
      copyIfAbsent = await refused(() => ops.copy!(key, other, { ifNoneMatch: '*' }));
    }
    // Only now the object may be gone: a stale conditional delete that is not refused deletes it.
    const latest = (await ops.write(key, body, {})).version;
    const staleDeleteRefused = await refused(() => ops.delete(key, { ifMatch: stale }));
    const conditionalDelete = staleDeleteRefused && !(await refused(() => ops.delete(key, { ifMatch: latest })));
    return { atomicCreate, compareAndSwap: staleWriteRefused && currentWriteAccepted, conditionalDelete, copyIfAbsent };
  } finally {
    await Promise.all(written.map((k) => ops.delete(k, {}).catch(() => undefined)));
  }
}
