/**
 * sync/sync owns `sync(source, destination)`: make the destination folder hold exactly what the source
 * folder holds. Pipelined: both listings run at once, pairs are compared as they arrive (`checkers` at a
 * time where a comparison needs requests), changed files are copied `transfers` at a time. Resumable: a
 * destination backend writes each file atomically, so a killed run leaves every file old or new, and a
 * rerun's comparison copies only what is still missing or different. Extraneous destination files are
 * removed (`delete`) only when the whole copy phase had no error.
 */
import { InvalidUrlError, isStatestoreError } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';
import { compareDeep, compareListed, type Comparison } from './compare.js';
import { copiesServerSide, copyFile } from './copier.js';
import { checkNoOverlap, planPairs, type Pair } from './plan.js';
import { emptyTotals, type SyncEvent, type SyncListener, type SyncTotals } from './progress.js';
import { buildSummary, emptyComparisons, type SyncError, type SyncSummary } from './summary.js';
import { TaskPool } from './task-pool.js';

/**
 * Default number of files copied at once. Measured with bench/sync-minio.mjs (2,000 small files between
 * two MinIO buckets, 2 shared cores): 8 was slower than 16; 32 and 64 were no faster than 16 (the client's
 * CPU per request is the limit) and 64 cost about 30 MB more memory.
 */
export const DEFAULT_TRANSFERS = 16;
/** Default number of comparisons that need requests (stat or read) run at once; the same measurement. */
export const DEFAULT_CHECKERS = 16;

export interface SyncOptions {
  /** Files copied at once (default DEFAULT_TRANSFERS). */
  transfers?: number;
  /** Comparisons needing a stat or a read, run at once (default DEFAULT_CHECKERS). */
  checkers?: number;
  /** Compare and report, but copy and delete nothing. */
  dryRun?: boolean;
  /** Remove destination files the source lacks, but only if the copy phase had no error. */
  delete?: boolean;
  /** Keys (relative to the roots) for which this returns false are neither compared, copied nor deleted. */
  filter?: (key: string) => boolean;
  /** Progress events; see SyncEvent. */
  onProgress?: SyncListener;
  signal?: AbortSignal;
}

type WithoutTotals<E> = E extends unknown ? Omit<E, 'totals'> : never;
type EventBody = WithoutTotals<SyncEvent>;

/** Makes `destination` (a folder) hold what `source` (a folder) holds; returns what was done. */
export async function sync(source: VfsPath, destination: VfsPath, options: SyncOptions = {}): Promise<SyncSummary> {
  checkNoOverlap(source, destination);
  const startedAt = Date.now();
  const dryRun = options.dryRun === true;
  const signal = options.signal;
  const totals: SyncTotals = emptyTotals();
  const comparisons = emptyComparisons();
  const errors: SyncError[] = [];
  const serverSide = copiesServerSide(source.backend, destination.backend);
  const checkers = new TaskPool(options.checkers ?? DEFAULT_CHECKERS);
  const transfers = new TaskPool(options.transfers ?? DEFAULT_TRANSFERS);

  const emit = (event: EventBody) => {
    if (!options.onProgress) return;
    try {
      options.onProgress({ ...event, totals: { ...totals } } as SyncEvent);
    } catch {
      // a listener's failure must not stop the sync
    }
  };
  const fail = (phase: SyncError['phase'], key: string | undefined, e: unknown) => {
    const error: SyncError = {
      ...(key !== undefined ? { key } : {}),
      phase,
      code: isStatestoreError(e) ? e.code : 'Unknown',
      message: e instanceof Error ? e.message : String(e),
    };
    errors.push(error);
    totals.errors++;
    emit({ type: 'error', ...error });
  };

  const copy = async (pair: Pair) => {
    const size = pair.source.listed?.size ?? 0;
    if (!dryRun) {
      try {
        await copyFile(pair.source, pair.target, signal);
      } catch (e) {
        fail('copy', pair.key, e);
        return;
      }
    }
    totals.copied++;
    totals.bytesCopied += size;
    emit({ type: 'copy', key: pair.key, bytes: size, serverSide, dryRun });
  };

  const decide = async (pair: Pair, result: Comparison) => {
    totals.checked++;
    comparisons[result.method]++;
    if (result.same) totals.skipped++;
    else {
      totals.toCopy++;
      totals.bytesToCopy += pair.source.listed?.size ?? 0;
    }
    emit({ type: 'check', key: pair.key, action: result.same ? 'skip' : 'copy', method: result.method });
    if (!result.same) await transfers.submit(() => copy(pair));
  };

  const onPair = async (pair: Pair) => {
    const quick = compareListed(pair.source.listed!, pair.exists ? pair.target.listed : undefined);
    if (quick) return decide(pair, quick);
    await checkers.submit(async () => {
      let result: Comparison;
      try {
        result = await compareDeep(pair.source, pair.target, signal);
      } catch (e) {
        fail('check', pair.key, e);
        return;
      }
      await decide(pair, result);
    });
  };

  const listings = await planPairs(
    source,
    destination,
    {
      onPair,
      onListed: (side, files, done) => {
        if (side === 'source') totals.sourceFiles = files;
        else totals.destinationFiles = files;
        emit({ type: 'listing', side, files, done });
      },
      onError: (_side, key, e) => fail(key === undefined ? 'list' : 'check', key, e),
    },
    { ...(options.filter ? { filter: options.filter } : {}), ...(signal ? { signal } : {}) },
  );
  totals.listingDone = true;
  if (listings.source.size === 0 && listings.complete && source.key !== '' && (await source.statInfo(signal))) {
    throw new InvalidUrlError(`${source.toString()} is a file, not a folder: sync copies folders; copy one file with \`statestore cp\` (VfsPath.copyTo)`, {
      url: source.toString(),
    });
  }
  await checkers.drain();
  await transfers.drain();
  signal?.throwIfAborted();

  let deleteSkipped: string | undefined;
  if (options.delete) {
    const extraneous = [...listings.destination].filter(([key]) => !listings.source.has(key));
    if (errors.length > 0 || !listings.complete) {
      deleteSkipped = `${errors.length} error${errors.length === 1 ? '' : 's'} before the delete phase, so none of the ${extraneous.length} extraneous destination file${extraneous.length === 1 ? '' : 's'} was removed; fix the cause and run the sync again`;
      emit({ type: 'delete-skipped', reason: deleteSkipped });
    } else {
      totals.toDelete = extraneous.length;
      for (const [key, file] of extraneous) {
        await transfers.submit(async () => {
          if (!dryRun) {
            try {
              await file.remove({ ...(signal ? { signal } : {}) });
            } catch (e) {
              fail('delete', key, e);
              return;
            }
          }
          totals.deleted++;
          emit({ type: 'delete', key, dryRun });
        });
      }
      await transfers.drain();
    }
  }
  emit({ type: 'done' });
  return buildSummary({
    source: source.toString(),
    destination: destination.toString(),
    dryRun,
    totals,
    comparisons,
    serverSideCopy: serverSide,
    errors,
    ...(deleteSkipped ? { deleteSkipped } : {}),
    startedAt,
  });
}
