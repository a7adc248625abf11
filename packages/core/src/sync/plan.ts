/**
 * sync/plan owns pairing the two listings. Both sides are walked at once (a walk yields each file with
 * its listing info: size, version, hashes, so no request per file); a source file is handed on as soon
 * as its destination counterpart has been seen, or once the destination listing is complete. What is
 * left in the destination index afterwards and absent from the source is extraneous. An entry either
 * listing could not report as a file (a key no path can name, a symbolic link, a name that is not UTF-8)
 * is an error and makes the listings incomplete, so nothing is deleted on the strength of them.
 */
import type { SkippedEntry } from '../backend/backend.js';
import { InvalidUrlError, StatestoreError } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';

/** A source file and its destination counterpart (undefined when the destination has none). */
export interface Pair {
  /** Key relative to both roots. */
  key: string;
  source: VfsPath;
  /** From the destination listing (with its info) when present; otherwise the path to create. */
  target: VfsPath;
  /** True when the destination listing had this file. */
  exists: boolean;
}

export interface PlanCallbacks {
  /** Called for every pair; may wait (back-pressure). */
  onPair(pair: Pair): Promise<void>;
  onListed(side: 'source' | 'destination', files: number, done: boolean): void;
  onError(side: 'source' | 'destination', key: string | undefined, error: unknown): void;
}

export interface PlanOptions {
  /** Keys (relative) for which this returns false are left out on both sides. */
  filter?: (key: string) => boolean;
  signal?: AbortSignal;
}

/** The result of planning: what each side had, for the delete phase. */
export interface Listings {
  /** Every destination file seen, by relative key. */
  destination: Map<string, VfsPath>;
  /** Every source key seen. */
  source: Set<string>;
  /** False when a listing failed part-way (then nothing may be deleted). */
  complete: boolean;
}

const REPORT_EVERY = 500;

/** Walks both roots and calls `onPair` for each source file; resolves when everything has been handed on. */
export async function planPairs(source: VfsPath, destination: VfsPath, callbacks: PlanCallbacks, options: PlanOptions = {}): Promise<Listings> {
  const filter = options.filter ?? (() => true);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const listings: Listings = { destination: new Map(), source: new Set(), complete: true };
  let destinationDone = false;
  const pending: VfsPath[] = [];

  const pairFor = (key: string, file: VfsPath): Pair | undefined => {
    const found = listings.destination.get(key);
    if (found) return { key, source: file, target: found, exists: true };
    try {
      return { key, source: file, target: destination.join(key), exists: false };
    } catch (e) {
      callbacks.onError('destination', key, e);
      return undefined;
    }
  };
  const skipped = (side: 'source' | 'destination', root: VfsPath) => (entry: SkippedEntry) => {
    listings.complete = false;
    const url = root.backend.urlFor(entry.key);
    callbacks.onError(side, url, new StatestoreError('Unsupported', `${url} was not ${side === 'source' ? 'copied' : 'compared'}: ${entry.reason}`, { url }));
  };
  const hand = async (key: string, file: VfsPath) => {
    const pair = pairFor(key, file);
    if (pair) await callbacks.onPair(pair);
  };

  const walkDestination = async () => {
    try {
      for await (const file of destination.walk({ signal, onSkipped: skipped('destination', destination) })) {
        const key = file.relativeTo(destination);
        if (key === undefined || !filter(key)) continue;
        listings.destination.set(key, file);
        if (listings.destination.size % REPORT_EVERY === 0) callbacks.onListed('destination', listings.destination.size, false);
      }
    } catch (e) {
      if (!stop.signal.aborted) callbacks.onError('destination', undefined, e);
      listings.complete = false;
      stop.abort();
      return;
    }
    destinationDone = true;
    callbacks.onListed('destination', listings.destination.size, true);
    for (let file = pending.shift(); file; file = pending.shift()) await hand(file.relativeTo(source)!, file);
  };

  const walkSource = async () => {
    try {
      for await (const file of source.walk({ signal, onSkipped: skipped('source', source) })) {
        const key = file.relativeTo(source);
        if (key === undefined || !filter(key)) continue;
        listings.source.add(key);
        if (listings.source.size % REPORT_EVERY === 0) callbacks.onListed('source', listings.source.size, false);
        if (destinationDone || listings.destination.has(key)) await hand(key, file);
        else pending.push(file);
      }
      callbacks.onListed('source', listings.source.size, true);
    } catch (e) {
      if (!stop.signal.aborted) callbacks.onError('source', undefined, e);
      listings.complete = false;
      stop.abort();
    }
  };

  await Promise.all([walkSource(), walkDestination()]);
  options.signal?.throwIfAborted();
  return listings;
}

/** Refuses roots of which one holds the other: a copy would feed its own listing (sync and migrate call it; a read-only comparison needs no such check). */
export function checkNoOverlap(a: VfsPath, b: VfsPath): void {
  const as = `${a.toString().replace(/\/+$/, '')}/`;
  const bs = `${b.toString().replace(/\/+$/, '')}/`;
  if (as.startsWith(bs) || bs.startsWith(as)) {
    throw new InvalidUrlError(`Cannot copy between ${a.toString()} and ${b.toString()}: one lies inside the other. Choose two separate places.`, {
      url: b.toString(),
    });
  }
}
