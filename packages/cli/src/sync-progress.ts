/**
 * How sync-like commands (sync, export, migrate) report progress: with `-o json`, every event as one JSON
 * line on stdout; otherwise a one-line progress bar on stderr, redrawn at most ten times a second, only
 * when stderr is a terminal (never in logs or pipes).
 */
import { formatBytes, type SyncEvent, type SyncListener } from '@statestore/core';
import type { CommandContext } from './context.js';

/** A listener for `sync`'s onProgress, plus `finish()` to clear the bar before the summary is printed. */
export interface ProgressReporter {
  listener: SyncListener | undefined;
  finish(): void;
}

export function progressReporter(ctx: CommandContext, json: boolean): ProgressReporter {
  if (json) return { listener: (event) => ctx.out(`${JSON.stringify(event)}\n`), finish: () => undefined };
  const stderr = ctx.io.stderr as { write(text: string): unknown; isTTY?: boolean; columns?: number };
  if (stderr.isTTY !== true) return { listener: undefined, finish: () => undefined };
  let last = 0;
  let drawn = false;
  const draw = (event: SyncEvent) => {
    const now = Date.now();
    if (event.type !== 'done' && now - last < 100) return;
    last = now;
    stderr.write(`\r\u001b[K${barLine(event, stderr.columns ?? 80)}`);
    drawn = true;
  };
  return {
    listener: draw,
    finish: () => {
      if (drawn) stderr.write('\r\u001b[K');
    },
  };
}

/** `[#####-----] 1200/2000 checked, 340 copied (2.1 MiB/4.0 MiB), 0 errors`, fitted to `columns`. */
export function barLine(event: SyncEvent, columns: number): string {
  const t = event.totals;
  const total = t.listingDone ? t.sourceFiles : Math.max(t.sourceFiles, t.checked);
  const done = t.checked + t.deleted;
  const fraction = total === 0 ? 1 : Math.min(1, (t.skipped + t.copied) / total);
  const width = 20;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const listing = t.listingDone ? '' : ' (listing…)';
  const text = `${bar} ${done}/${total}${listing} checked, ${t.copied}/${t.toCopy} copied (${formatBytes(t.bytesCopied)}/${formatBytes(t.bytesToCopy)})${t.deleted ? `, ${t.deleted} deleted` : ''}, ${t.errors} error${t.errors === 1 ? '' : 's'}`;
  return text.length > columns - 1 ? text.slice(0, Math.max(0, columns - 1)) : text;
}
