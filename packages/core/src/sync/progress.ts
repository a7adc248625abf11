/**
 * sync/progress owns the events a running sync reports: one per listed page of work, per decision, per
 * copy, per delete and per error, each carrying a snapshot of the running totals so that a consumer (the
 * CLI's progress bar, its `-o json` event stream) never has to keep its own counts.
 */

/** How a file pair was compared; see `SyncSummary.comparisons`. */
export type CompareMethod =
  /** The destination had no such file. */
  | 'missing'
  /** The sizes differ: changed, no hash needed. */
  | 'size'
  /** Both listings carried a hash of one algorithm (no extra request). */
  | 'listing-hash'
  /** A hash recorded at write time, fetched with one stat per file that lacked it in the listing. */
  | 'recorded-hash'
  /** No comparable hash anywhere: the side(s) lacking one were read and hashed. */
  | 'read';

/** Running totals, as of the event that carries them. */
export interface SyncTotals {
  /** Files found in the source so far (after filtering). */
  sourceFiles: number;
  /** Files found in the destination so far. */
  destinationFiles: number;
  /** True once both listings are complete. */
  listingDone: boolean;
  /** Source files whose comparison is decided. */
  checked: number;
  /** Decided to copy (copied, being copied, or failed). */
  toCopy: number;
  bytesToCopy: number;
  copied: number;
  bytesCopied: number;
  /** Identical already. */
  skipped: number;
  /** Extraneous destination files found (only counted with `delete`). */
  toDelete: number;
  deleted: number;
  errors: number;
}

interface EventBase {
  totals: SyncTotals;
}

/** An event of a running sync. `key` is always relative to the synced roots. */
export type SyncEvent =
  | (EventBase & { type: 'listing'; side: 'source' | 'destination'; files: number; done: boolean })
  | (EventBase & { type: 'check'; key: string; action: 'copy' | 'skip'; method: CompareMethod })
  | (EventBase & { type: 'copy'; key: string; bytes: number; serverSide: boolean; dryRun: boolean })
  | (EventBase & { type: 'delete'; key: string; dryRun: boolean })
  | (EventBase & { type: 'delete-skipped'; reason: string })
  | (EventBase & { type: 'error'; key?: string; phase: 'list' | 'check' | 'copy' | 'delete'; code: string; message: string })
  | (EventBase & { type: 'done' });

/** Receives events; must not throw (a throwing listener is ignored, the sync goes on). */
export type SyncListener = (event: SyncEvent) => void;

export function emptyTotals(): SyncTotals {
  return {
    sourceFiles: 0,
    destinationFiles: 0,
    listingDone: false,
    checked: 0,
    toCopy: 0,
    bytesToCopy: 0,
    copied: 0,
    bytesCopied: 0,
    skipped: 0,
    toDelete: 0,
    deleted: 0,
    errors: 0,
  };
}
