/**
 * sync/summary owns what a finished sync reports: counts, bytes, how files were compared (and so which
 * fallback was needed where listings carry no comparable hash), errors, and whether deletion was
 * skipped. `describeSyncSummary` renders it as the few lines the CLI prints.
 */
import type { CompareMethod, SyncTotals } from './progress.js';

/** One failure during a sync; the sync goes on with the other files. */
export interface SyncError {
  /** Key relative to the synced roots; absent for a listing failure. */
  key?: string;
  phase: 'list' | 'check' | 'copy' | 'delete';
  /** Statestore error code (`NotFound`, `PermissionDenied`, …) or `Unknown`. */
  code: string;
  message: string;
}

/** The fallbacks used for pairs whose listings carried no comparable hash. */
export type HashFallback = 'recorded-hash' | 'read';

export interface SyncSummary {
  source: string;
  destination: string;
  dryRun: boolean;
  /** Source files compared with the destination. */
  checked: number;
  /** Files copied (with `dryRun`: that would be copied). */
  copied: number;
  bytesCopied: number;
  /** Files already identical. */
  skipped: number;
  /** Extraneous destination files removed (with `dryRun`: that would be removed). */
  deleted: number;
  /** True when both ends are one service, so copies ran inside it. */
  serverSideCopy: boolean;
  /** How many pairs were decided by each method. */
  comparisons: Record<CompareMethod, number>;
  /** Fallbacks used where the two listings' hashes were not comparable; empty when none was needed. */
  fallbacks: HashFallback[];
  /** Set when `delete` was asked for but not done, with the reason (an earlier error). */
  deleteSkipped?: string;
  errors: SyncError[];
  durationMs: number;
}

export function emptyComparisons(): Record<CompareMethod, number> {
  return { missing: 0, size: 0, 'listing-hash': 0, 'recorded-hash': 0, read: 0 };
}

/** The summary for the totals and comparison counts a sync gathered. */
export function buildSummary(input: {
  source: string;
  destination: string;
  dryRun: boolean;
  totals: SyncTotals;
  comparisons: Record<CompareMethod, number>;
  serverSideCopy: boolean;
  errors: SyncError[];
  deleteSkipped?: string;
  startedAt: number;
}): SyncSummary {
  const { totals, comparisons } = input;
  const fallbacks: HashFallback[] = [];
  if (comparisons['recorded-hash'] > 0) fallbacks.push('recorded-hash');
  if (comparisons.read > 0) fallbacks.push('read');
  return {
    source: input.source,
    destination: input.destination,
    dryRun: input.dryRun,
    checked: totals.checked,
    copied: totals.copied,
    bytesCopied: totals.bytesCopied,
    skipped: totals.skipped,
    deleted: totals.deleted,
    serverSideCopy: input.serverSideCopy,
    comparisons: { ...comparisons },
    fallbacks,
    ...(input.deleteSkipped ? { deleteSkipped: input.deleteSkipped } : {}),
    errors: input.errors,
    durationMs: Date.now() - input.startedAt,
  };
}

const FALLBACK_TEXT: Record<HashFallback, string> = {
  'recorded-hash': 'hash recorded at write time (one stat per file)',
  read: 'read and hashed (no comparable hash in the listings)',
};

/** Human-readable lines for a summary (no trailing newline). */
export function describeSyncSummary(s: SyncSummary): string {
  const would = s.dryRun ? 'would be ' : '';
  const lines = [
    `${s.source} → ${s.destination}${s.dryRun ? ' (dry run)' : ''}`,
    `checked ${s.checked}, ${would}copied ${s.copied} (${formatBytes(s.bytesCopied)}${s.serverSideCopy ? ', server-side' : ''}), unchanged ${s.skipped}, ${would}deleted ${s.deleted}, errors ${s.errors.length}, in ${(s.durationMs / 1000).toFixed(1)} s`,
  ];
  const c = s.comparisons;
  lines.push(`compared by: listing hash ${c['listing-hash']}, size ${c.size}, missing ${c.missing}, recorded hash ${c['recorded-hash']}, read ${c.read}`);
  for (const f of s.fallbacks) lines.push(`fallback used: ${FALLBACK_TEXT[f]} for ${c[f]} file${c[f] === 1 ? '' : 's'}`);
  if (s.deleteSkipped) lines.push(`delete skipped: ${s.deleteSkipped}`);
  for (const e of s.errors.slice(0, 20)) lines.push(`error (${e.phase}${e.key !== undefined ? ` ${e.key}` : ''}): ${e.message}`);
  if (s.errors.length > 20) lines.push(`… and ${s.errors.length - 20} more errors`);
  return lines.join('\n');
}

/** `1.5 MiB`-style sizes. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}
