/**
 * `statestore history prune CLUSTER --keep N | --older-than DURATION [--dry-run]`: retention for the cluster's
 * history journal (in the store or its history store). The oldest revisions go, with the blobs only they needed;
 * the newest revision, everything a kept revision needs to be rolled back to or undeleted, and changes not
 * confirmed yet are kept. Native versions kept by the service (bucket versioning, KV v2) are not touched: their
 * retention is the service's lifecycle rules. Runs under the cluster's lease (a dry run takes none). A thin
 * adapter to core's `pruneHistory`.
 */
import { pruneHistory, type PruneReport } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, boolOption, intOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'history prune',
  usage: 'history prune CLUSTER (--keep N | --older-than DURATION) [--dry-run] [-o text|json]',
  summary: "Remove a cluster's oldest revisions from the history journal (retention).",
  description: [
    'Keeps the newest N revisions (--keep), or removes revisions recorded more than DURATION ago (--older-than 720h);',
    'given both, removes only what both would. The newest revision is always kept, and so is every blob a kept',
    'revision needs (rollback --to and undelete of what is kept still restore byte for byte). Native versions kept by',
    'the service (S3/GCS/OSS bucket versioning, Vault KV v2) are governed by its lifecycle rules, not by this command.',
  ].join('\n'),
  examples: ['statestore history prune demo.example.com --keep 100', 'statestore history prune demo.example.com --older-than 2160h --dry-run'],
  outputs: ['text', 'json'],
  options: {
    keep: { type: 'string', valueName: 'N', description: 'Keep the newest N revisions (at least 1)' },
    'older-than': { type: 'string', valueName: 'DURATION', description: 'Remove revisions recorded more than DURATION ago (e.g. 720h)' },
    'dry-run': { type: 'boolean', description: 'Only show what would be removed' },
    'lock-timeout': LOCK_TIMEOUT_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const cluster = ctx.onlyClusterName();
  const keep = intOption(ctx.args, 'keep');
  const olderThan = stringOption(ctx.args, 'older-than');
  if (keep === undefined && olderThan === undefined) throw new UsageError('say how much history to keep: --keep N or --older-than DURATION');
  if (keep !== undefined && keep < 1) throw new UsageError(`--keep must be at least 1 (the current state's revision), not ${keep}`);
  const dryRun = boolOption(ctx.args, 'dry-run');
  const store = await ctx.openStore();
  const report = await pruneHistory(store, cluster, {
    ...(await ctx.historyLocation()),
    ...(keep !== undefined ? { keep } : {}),
    ...(olderThan !== undefined ? { olderThanMs: ctx.duration(olderThan, '--older-than') } : {}),
    dryRun,
    withLease: dryRun ? (_c, fn) => fn() : (c, fn) => ctx.withClusterLease(c, fn, { store }),
  });
  if (ctx.output('text') === 'json') ctx.json(report);
  else ctx.out(`${render(report)}\n`);
  return 0;
}

function render(report: PruneReport): string {
  const { entries, intents, blobs } = report.removed;
  const verb = report.dryRun ? 'Would remove' : 'Removed';
  if (report.pruned.length === 0 && intents === 0) return `Nothing to prune in the history of ${report.cluster} (${report.kept.length} revision(s) kept in ${report.journal}).`;
  return [
    `${verb} ${report.pruned.length} revision(s) of ${report.cluster} from ${report.journal}: ${entries} log entries, ${intents} intents, ${blobs} blobs.`,
    `Kept ${report.kept.length} revision(s), the oldest ${report.kept[report.kept.length - 1]}.`,
  ].join('\n');
}
