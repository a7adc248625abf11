/**
 * How sync-like commands (sync, export, migrate) report progress: with `-o json`, every event as one JSON
 * line on stdout; otherwise a one-line progress bar on stderr, redrawn at most ten times a second, only
 * when stderr is a terminal (never in logs or pipes).
 */
import { formatBytes, type SyncEvent, type SyncListener } from '@statestore/core/sync';
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
  const started = Date.now();
  let last = 0;
  let drawn = false;
  const draw = (event: SyncEvent) => {
    const now = Date.now();
    if (event.type !== 'done' && now - last < 100) return;
    last = now;
    stderr.write(`\r\u001b[K${barLine(event, stderr.columns ?? 80, now - started)}`);
    drawn = true;
  };
  return {
    listener: draw,
    finish: () => {
      if (drawn) stderr.write('\r\u001b[K');
    },
  };
}

/**
 * `[#####-----] 1200/2000 checked, 340 copied (2.1 MiB/4.0 MiB), 0 errors, 1.3 MiB/s, ETA 0:02`, fitted to
 * `columns`. Empty until the listing has found something; full for nothing to do. The rate is over
 * `elapsedMs`; the ETA is shown once every file is compared (so the bytes to copy are known).
 */
export function barLine(event: SyncEvent, columns: number, elapsedMs = 0): string {
  const t = event.totals;
  const total = t.listingDone ? t.sourceFiles : Math.max(t.sourceFiles, t.checked);
  const done = t.checked + t.deleted;
  const fraction = total === 0 ? (t.listingDone ? 1 : 0) : Math.min(1, (t.skipped + t.copied) / total);
  const width = 20;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const listing = t.listingDone ? '' : ' (listing…)';
  const text = `${bar} ${done}/${total}${listing} checked, ${t.copied}/${t.toCopy} copied (${formatBytes(t.bytesCopied)}/${formatBytes(t.bytesToCopy)})${t.deleted ? `, ${t.deleted} deleted` : ''}, ${t.errors} error${t.errors === 1 ? '' : 's'}${speed(t, total, elapsedMs)}`;
  return text.length > columns - 1 ? text.slice(0, Math.max(0, columns - 1)) : text;
}

/** `, 1.3 MiB/s` once bytes have been copied, plus `, ETA 0:02` when the bytes still to copy are known. */
function speed(t: SyncEvent['totals'], total: number, elapsedMs: number): string {
  if (elapsedMs <= 0 || t.bytesCopied === 0) return '';
  const rate = (t.bytesCopied * 1000) / elapsedMs;
  const known = t.listingDone && t.checked >= total;
  const left = t.bytesToCopy - t.bytesCopied;
  return `, ${formatBytes(Math.round(rate))}/s${known && left > 0 ? `, ETA ${clock(left / rate)}` : ''}`;
}

/** Seconds as `m:ss` (or `h:mm:ss`). */
function clock(seconds: number): string {
  const s = Math.ceil(seconds);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}
