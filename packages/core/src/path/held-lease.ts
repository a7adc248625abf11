/**
 * path/held-lease owns a lease while this process holds it: the heartbeat (a renewal every eighth of the
 * TTL, each with a deadline of what is left of the lease), `lost` (aborted when a renewal finds the lease
 * taken, or none landed within two thirds of the TTL), the proof asked for before a fenced write
 * (`assertHeld`), and release — exact where the backend has conditional delete or compare-and-swap (a
 * `released` record written by compare-and-swap), else check-then-delete.
 */
import { performance } from 'node:perf_hooks';
import type { Capabilities } from '../backend/backend.js';
import { ConflictError, isNotFound, isPreconditionFailed } from '../errors/errors.js';
import { describeHolder, encodeLease, readLease, type LeaseRecord } from './lease-record.js';
import type { Logger } from './store-context.js';
import type { VfsPath } from './vfs-path.js';

/** A lease this process holds. */
export interface HeldLease {
  readonly record: LeaseRecord;
  /** Aborted when the lease is lost (taken by someone else, or not renewable in time). */
  readonly lost: AbortSignal;
  /** Milliseconds during which no observer can judge the lease expired (from the last renewal sent). */
  remainingMs(): number;
  /** Re-reads the stored lease; ConflictError unless it is still this one and was renewed in time. */
  assertHeld(signal?: AbortSignal): Promise<void>;
  /** Stops renewing and frees the lease (exactly where the backend allows; see the file header). */
  release(): Promise<void>;
}

/**
 * @internal Starts holding the lease object at `path`, stored at `firstVersion` by a write sent at
 * `firstSent` (performance.now()). `ownKey`: nobody else ever writes this key (a candidate's ticket), so
 * a release deletes it without reading it first.
 */
export function holdLease(
  path: VfsPath,
  record: LeaseRecord,
  firstVersion: string,
  firstSent: number,
  caps: Readonly<Capabilities>,
  logger: Logger | undefined,
  ownKey = false,
): HeldLease {
  const lostController = new AbortController();
  let version = firstVersion;
  let lastSent = firstSent;
  let released = false;
  const usableMs = (record.ttlMs * 2) / 3;
  const lose = (why: string) => {
    if (lostController.signal.aborted) return;
    logger?.log(0, `lost the lease ${path.toString()}: ${why}`);
    lostController.abort(new ConflictError(`Lost the lease ${path.toString()}: ${why}`, { url: path.toString() }));
  };
  let renewing: Promise<void> | undefined;
  const renew = async () => {
    const sent = performance.now();
    const next: LeaseRecord = { ...record, beat: record.beat + 1 };
    // A renewal must land while the lease is still ours to renew: its deadline is what is left of it.
    const signal = AbortSignal.any([lostController.signal, AbortSignal.timeout(Math.max(1, Math.floor(lastSent + usableMs - sent)))]);
    try {
      if (caps.compareAndSwap) version = (await path.replaceFile(encodeLease(next), { ifMatch: version, signal })).version;
      else {
        const now = await readLease(path, signal);
        if (now?.record?.id !== record.id || now.version !== version) return lose(`it is now ${now?.record ? `held by ${describeHolder(now.record)}` : 'gone'}`);
        version = (await path.writeFile(encodeLease(next), { signal })).version;
      }
      record.beat = next.beat;
      lastSent = sent;
    } catch (e) {
      if (isPreconditionFailed(e)) return lose('someone else took it over');
      if (isNotFound(e)) return lose('it was removed (broken by hand, or judged expired)');
      logger?.log(2, `renewing the lease ${path.toString()} failed (will retry): ${(e as Error).message}`);
    }
  };
  // Every tick: a lease not renewed in time is lost (whether or not a renewal is still on its way), else renew.
  const timer = setInterval(() => {
    if (released || lostController.signal.aborted) return;
    if (performance.now() - lastSent > usableMs) return lose(`it could not be renewed within ${Math.round(usableMs)} ms, so another holder may take it`);
    renewing ??= renew().finally(() => {
      renewing = undefined;
    });
  }, Math.max(5, Math.floor(record.ttlMs / 8)));
  timer.unref();

  return {
    record,
    lost: lostController.signal,
    remainingMs: () => Math.max(0, lastSent + usableMs - performance.now()),
    async assertHeld(signal?: AbortSignal) {
      if (lostController.signal.aborted) throw lostController.signal.reason;
      const now = await readLease(path, signal);
      if (now?.record?.id !== record.id) {
        lose(`it is now ${now?.record ? `held by ${describeHolder(now.record)}` : 'gone'}`);
        throw lostController.signal.reason;
      }
      if (performance.now() - lastSent > usableMs) {
        lose('it was not renewed in time');
        throw lostController.signal.reason;
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await renewing?.catch(() => undefined);
      if (lostController.signal.aborted) return;
      lostController.abort(new ConflictError(`The lease ${path.toString()} was released`, { url: path.toString() }));
      try {
        if (ownKey) await path.remove();
        else if (caps.conditionalDelete) await path.remove({ ifMatch: version });
        else if (caps.compareAndSwap) await path.replaceFile(encodeLease({ ...record, beat: record.beat + 1, released: true }), { ifMatch: version });
        else {
          const now = await readLease(path);
          if (now?.record?.id === record.id) await path.remove();
        }
      } catch (e) {
        if (isPreconditionFailed(e) || isNotFound(e)) {
          logger?.log(0, `the lease ${path.toString()} had already been taken over when it was released`);
          return;
        }
        throw e;
      }
    },
  };
}
