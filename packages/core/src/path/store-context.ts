/**
 * The per-store settings a VfsPath carries: the driver, the retry policy, page-size hint, deadlines, a logger
 * and an optional request logger.
 */
import type { Backend } from '../backend/backend.js';
import { redactSecrets } from '../errors/redact.js';
import type { RequestLogger } from '../http/request-log.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry/retry.js';

export interface Logger {
  /** Level 0 notices (always shown), 1+ progressively more detail (`-v N`). */
  log(level: number, message: string): void;
}

export const stderrLogger: Logger = {
  log(level, message) {
    const verbosity = Number(process.env.STATESTORE_VERBOSITY ?? '0');
    if (level <= verbosity) process.stderr.write(`statestore: ${redactSecrets(message)}\n`);
  },
};

export interface StoreContext {
  backend: Backend;
  retry: RetryPolicy;
  /** Page-size hint for listings (the conformance suite uses a small one to cross pages). */
  listPageSize?: number;
  /** How long `updateFile` keeps retrying lost races (default 30 s). */
  updateDeadlineMs: number;
  /** Time-to-live of leases: updateFile's lock when a backend has no compare-and-swap, cluster leases (default 30 s). */
  lockLeaseMs: number;
  /** How late a listing may show a new object, for leases on backends without atomic operations (path/candidate-lease.ts). */
  leaseSettleMs: number;
  logger: Logger;
  /** Receives every HTTP request the store's calls make (`-v 4`); absent: requests are not observed. */
  requestLogger?: RequestLogger;
}

/** The settle delay of leases on backends with neither compare-and-swap nor atomic create, ms. */
export const DEFAULT_LEASE_SETTLE_MS = 100;

export function defaultStoreContext(backend: Backend, overrides: Partial<StoreContext> = {}): StoreContext {
  return {
    backend,
    retry: DEFAULT_RETRY_POLICY,
    updateDeadlineMs: 30_000,
    lockLeaseMs: 30_000,
    leaseSettleMs: DEFAULT_LEASE_SETTLE_MS,
    logger: stderrLogger,
    ...overrides,
  };
}
