/**
 * `statestore migrate CLUSTER --to URL`: move a cluster to another state store in one step (copy,
 * rewrite spec.configBase and the keyStore/secretStore that pointed into the old folder, verify every
 * file by hash; the source is left for the user to remove), holding the cluster's lease in both stores; with
 * `--with-history`, the cluster's history journal too. A thin adapter to core's `migrateCluster` and `copyJournal`.
 */
import { assertNotVaultTarget } from '@statestore/core/config';
import { copyJournal, migrateCluster, type MigrateResult, type SyncSummary } from '@statestore/core/sync';
import { LOCK_TIMEOUT_OPTION, boolOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { DRY_RUN_OPTION, isDryRun } from '../dry-run.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import { progressReporter } from '../sync-progress.js';
import { concurrencyFlags, printSummary, syncFlags } from './sync.js';

const { transfers, checkers } = syncFlags();

export const command: CommandSpec = {
  name: 'migrate',
  usage: 'migrate CLUSTER --to URL [--with-history] [--dry-run] [--transfers N] [--checkers N] [-o text|json]',
  summary: 'Move a cluster to another state store: copy, rewrite configBase, verify.',
  description: [
    'Copies {store}/{CLUSTER} to {URL}/{CLUSTER} (resumable: run it again after an interruption), then',
    "writes the cluster's config there with spec.configBase — and spec.keyStore/spec.secretStore where they",
    'pointed into the old folder — changed to the new place, every other byte unchanged, and verifies every',
    'file by hash. The source is not touched: remove it yourself once the cluster runs from the new store.',
    'Files kops generates (cluster-completed.spec, igconfig/, addons/) still name the old place until',
    '`kops update cluster --yes` is run against the new store.',
    "History is not carried unless --with-history is given: then the cluster's journal (from the store, or its",
    'history store) is copied to the new store\'s history too. Versions kept by the service (bucket versioning) stay',
    'in the old bucket.',
  ].join('\n'),
  examples: ['statestore migrate demo.example.com --state s3://old-state --to s3://new-state', 'KOPS_STATE_STORE=s3://new-state kops update cluster demo.example.com --yes'],
  outputs: ['text', 'json'],
  options: {
    to: { type: 'string', valueName: 'URL', description: 'The new state store (root; the cluster folder is created in it)' },
    'with-history': { type: 'boolean', description: "Copy the cluster's history journal too (default: history stays in the old store)" },
    transfers: transfers!,
    checkers: checkers!,
    'dry-run': DRY_RUN_OPTION,
    'lock-timeout': LOCK_TIMEOUT_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const [positional, ...extra] = ctx.args.positionals;
  if (extra.length > 0) throw new UsageError('migrate takes one cluster name');
  const cluster = ctx.clusterName(positional);
  const to = stringOption(ctx.args, 'to');
  if (!to) throw new UsageError('--to is required: the new state store, e.g. --to s3://new-state');
  assertNotVaultTarget(to, 'migrate'); // before any plugin loads
  const json = ctx.output('text') === 'json';
  const progress = progressReporter(ctx, json);
  let result: MigrateResult;
  let history: SyncSummary | undefined;
  const withHistory = boolOption(ctx.args, 'with-history');
  const [source, destination] = [await ctx.openStore(), await ctx.open(to)];
  try {
    const location = await ctx.historyLocation();
    const copy = async () => {
      const migrated = await migrateCluster(source, cluster, destination, {
        ...concurrencyFlags(ctx.args),
        ...(progress.listener ? { onProgress: progress.listener } : {}),
        dryRun: isDryRun(ctx.args),
      });
      if (withHistory) history = await copyJournal(source, cluster, destination, { from: location, to: { ...(location.open ? { open: location.open } : {}) }, dryRun: isDryRun(ctx.args) });
      return migrated;
    };
    result = isDryRun(ctx.args) ? await copy() : await ctx.withClusterLeases([{ cluster, store: source }, { cluster, store: destination }], copy);
  } finally {
    progress.finish();
  }
  if (json) {
    const { sync: summary, ...rest } = result;
    printSummary(ctx, summary, true);
    ctx.out(`${JSON.stringify({ type: 'migrate', ...rest, history: history ? { carried: true, copied: history.copied, skipped: history.skipped, to: history.destination } : { carried: false } })}\n`);
  } else {
    printSummary(ctx, result.sync, false);
    for (const r of result.rewrites) ctx.out(`${result.dryRun ? 'would rewrite' : 'rewrote'} ${r.field}: ${r.from} → ${r.to}\n`);
    if (result.rewrites.length === 0) ctx.out('no store fields to rewrite (configBase is derived from the store)\n');
    if (result.dryRun) ctx.out('Dry run: nothing was written; the config would be written last, then every file verified by hash.\n');
    else ctx.out(`verified ${result.verified} file${result.verified === 1 ? '' : 's'} by hash${result.mismatches.length ? `, ${result.mismatches.length} mismatched` : ''}\n`);
    for (const m of result.mismatches) ctx.out(`mismatch ${m.key}: ${m.reason}\n`);
    if (history) ctx.out(`history: ${result.dryRun ? 'would copy' : 'copied'} ${history.copied} journal file${history.copied === 1 ? '' : 's'} to ${history.destination} (${history.skipped} already there)\n`);
    else ctx.out('history: not carried (it stays in the old store; --with-history copies the journal)\n');
    for (const w of result.warnings) ctx.warn(w);
    if (result.complete) ctx.out(`${cluster} is now at ${result.to}; use --state ${to} (or KOPS_STATE_STORE) from now on\n`);
  }
  return result.complete || (result.dryRun && result.sync.errors.length === 0) ? EXIT_OK : EXIT_FAILURE;
}
