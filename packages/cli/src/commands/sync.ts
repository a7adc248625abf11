/**
 * `statestore sync SRC DST`: make DST hold what SRC holds, between any two backends. A thin adapter from
 * flags to core's `sync`; see core's sync/ for how files are compared, copied and resumed.
 */
import { DEFAULT_CHECKERS, DEFAULT_TRANSFERS, describeSyncSummary, sync, type SyncSummary } from '@statestore/core/sync';
import { boolOption, intOption, repeatedOption, type CommandSpec, type ParsedArgs } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import { progressReporter } from '../sync-progress.js';

export const command: CommandSpec = {
  name: 'sync',
  usage: 'sync SRC DST [--dry-run] [--delete] [--transfers N] [--checkers N] [--exclude PREFIX]... [-o text|json]',
  summary: 'Make DST hold exactly what SRC holds (any two backends; resumable).',
  description: [
    'Files are compared by size, then by a hash both listings carry; where they carry none in common (local',
    'disks, multipart uploads), by a hash recorded at write time, else by reading both sides; the summary says',
    'which fallback was used. Inside one service files are copied server-side; large files are streamed.',
    'Killed at any moment, a rerun completes the copy: each file is written atomically.',
    '--delete removes destination files the source lacks, and only if nothing failed before.',
    'With -o json every progress event is one JSON line on stdout, and the last line is the summary.',
  ].join('\n'),
  examples: [
    'statestore sync s3://old-state gs://new-state',
    'statestore sync s3://state file:///tmp/review --exclude backups/ --dry-run',
    'statestore sync file:///tmp/review s3://state --delete -o json',
  ],
  outputs: ['text', 'json'],
  options: syncFlags(),
  run,
};

/** The flags sync, export and migrate share. */
export function syncFlags(): CommandSpec['options'] {
  return {
    'dry-run': { type: 'boolean', description: 'Compare and report; copy and delete nothing' },
    delete: { type: 'boolean', description: 'Remove destination files the source lacks (never after an error)' },
    transfers: { type: 'string', valueName: 'N', description: `Files copied at once (default ${DEFAULT_TRANSFERS})` },
    checkers: { type: 'string', valueName: 'N', description: `Comparisons needing a request, at once (default ${DEFAULT_CHECKERS})` },
    exclude: { type: 'string', multiple: true, valueName: 'PREFIX', description: 'Leave out keys starting with PREFIX (relative to SRC and DST), on both sides' },
  };
}

/** Transfers/checkers from the flags; zero is a usage error. */
export function concurrencyFlags(args: ParsedArgs): { transfers?: number; checkers?: number } {
  const out: { transfers?: number; checkers?: number } = {};
  for (const name of ['transfers', 'checkers'] as const) {
    const n = intOption(args, name);
    if (n === undefined) continue;
    if (n < 1) throw new UsageError(`--${name} must be at least 1`);
    out[name] = n;
  }
  return out;
}

async function run(ctx: CommandContext): Promise<number> {
  const [src, dst, ...extra] = ctx.args.positionals;
  if (!src || !dst || extra.length > 0) throw new UsageError('sync takes two arguments: SRC and DST (URLs or local paths)');
  const excludes = repeatedOption(ctx.args, 'exclude');
  const json = ctx.output('text') === 'json';
  const progress = progressReporter(ctx, json);
  let summary: SyncSummary;
  try {
    summary = await sync(await ctx.open(src), await ctx.open(dst), {
      ...concurrencyFlags(ctx.args),
      dryRun: boolOption(ctx.args, 'dry-run'),
      delete: boolOption(ctx.args, 'delete'),
      ...(excludes.length > 0 ? { filter: (key: string) => !excludes.some((p) => key.startsWith(p)) } : {}),
      ...(progress.listener ? { onProgress: progress.listener } : {}),
    });
  } finally {
    progress.finish();
  }
  printSummary(ctx, summary, json);
  return summary.errors.length > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** The closing summary: text on stdout, or one JSON line `{"type":"summary",…}`. */
export function printSummary(ctx: CommandContext, summary: SyncSummary, json: boolean): void {
  if (json) ctx.out(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
  else ctx.out(`${describeSyncSummary(summary)}\n`);
}
