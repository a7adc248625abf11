/**
 * `statestore export CLUSTER --to URL`: copy one cluster's folder out of the state store for review
 * (typically to file:///dir), unchanged, without etcd backups unless asked. A thin adapter to core's
 * `exportCluster`.
 */
import { assertNotVaultTarget } from '@statestore/core/config';
import { exportCluster } from '@statestore/core/sync';
import { boolOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import { progressReporter } from '../sync-progress.js';
import { concurrencyFlags, printSummary, syncFlags } from './sync.js';

const { exclude: _exclude, ...shared } = syncFlags();

export const command: CommandSpec = {
  name: 'export',
  usage: 'export CLUSTER --to URL [--include-backups] [--delete] [--dry-run] [-o text|json]',
  summary: "Copy a cluster's state to another place (e.g. file:///dir) for review.",
  description: [
    'Copies {store}/{CLUSTER} to {URL}/{CLUSTER}, so that URL can be used as a state store (--state URL) to',
    'review, edit and dry-run. Nothing is rewritten: the copy still names the original configBase; a dry run',
    '(update cluster without --yes) against the copy reads configBase files from the copy, and when configBase',
    'is outside the cluster folder, export brings those files (cluster-completed.spec) along. etcd backups',
    '(backups/) are left out unless --include-backups is given. Compare with `statestore diff`.',
  ].join('\n'),
  examples: ['statestore export demo.example.com --to file:///tmp/review', 'statestore diff s3://state/demo.example.com /tmp/review/demo.example.com'],
  outputs: ['text', 'json'],
  options: {
    to: { type: 'string', valueName: 'URL', description: 'Where to put the copy (a store root; the cluster folder is created in it)' },
    'include-backups': { type: 'boolean', description: 'Copy etcd backups (backups/) too' },
    ...shared,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const [positional, ...extra] = ctx.args.positionals;
  if (extra.length > 0) throw new UsageError('export takes one cluster name');
  const cluster = ctx.clusterName(positional);
  const to = stringOption(ctx.args, 'to');
  if (!to) throw new UsageError('--to is required: where to export to, e.g. --to file:///tmp/review');
  assertNotVaultTarget(to, 'export'); // before any plugin loads
  const json = ctx.output('text') === 'json';
  const progress = progressReporter(ctx, json);
  let summary;
  try {
    summary = await exportCluster(await ctx.openStore(), cluster, await ctx.open(to), {
      ...concurrencyFlags(ctx.args),
      dryRun: boolOption(ctx.args, 'dry-run'),
      delete: boolOption(ctx.args, 'delete'),
      includeBackups: boolOption(ctx.args, 'include-backups'),
      open: (url) => ctx.open(url),
      ...(progress.listener ? { onProgress: progress.listener } : {}),
    });
  } finally {
    progress.finish();
  }
  const { fromConfigBase, ...syncSummary } = summary;
  printSummary(ctx, syncSummary, json);
  if (json) ctx.out(`${JSON.stringify({ type: 'export', fromConfigBase })}\n`);
  else for (const f of fromConfigBase) ctx.out(`${f.from} → ${f.to} (from configBase, for a dry run against the copy)\n`);
  return summary.errors.length > 0 ? EXIT_FAILURE : EXIT_OK;
}
