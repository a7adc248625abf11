/**
 * `statestore rollback CLUSTER --to REV [--dry-run] [-m MESSAGE]`: brings every file of the cluster back to
 * what it was at revision REV, byte for byte, by rolling forward: each file written or deleted conditionally on
 * the version read now (a concurrent change stops it with nothing lost), recorded as a new revision. History is
 * never deleted. A thin adapter to core's `planRollback` and `rollback`.
 */
import { planRollback, rollback } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, boolOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printRollback } from '../rollback-output.js';

export const command: CommandSpec = {
  name: 'rollback',
  usage: 'rollback CLUSTER --to REV [--dry-run] [-m MESSAGE] [-o text|json]',
  summary: 'Bring a cluster back to an earlier revision, as a new revision.',
  description: [
    'REV is a revision id that `statestore history` printed (or its first digits) or @-N (N revisions back). Every file',
    'of the cluster folder (config, instance groups, addons, pki/, secrets/, what kops wrote) is written back or',
    'deleted so that the folder holds exactly what it held then; the config is written last and deleted first.',
    'Each write is conditional on the version read just before: if anything changes meanwhile the rollback stops',
    'and says what was written; run it again. Cloud resources are not touched: run kops update cluster afterwards.',
  ].join('\n'),
  examples: ['statestore rollback demo.example.com --to @-1 --dry-run', 'statestore rollback demo.example.com --to 3f2a9c1b -m "undo the CIDR change"'],
  outputs: ['text', 'json'],
  options: {
    to: { type: 'string', valueName: 'REV', description: 'The revision to bring back' },
    'dry-run': { type: 'boolean', description: 'Only show what would be written and deleted' },
    'lock-timeout': LOCK_TIMEOUT_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const cluster = ctx.onlyClusterName();
  const to = stringOption(ctx.args, 'to');
  if (!to) throw new UsageError('--to REV is required: a revision from `statestore history`, or @-N');
  const store = await ctx.openStore();
  const location = await ctx.historyLocation();
  if (boolOption(ctx.args, 'dry-run')) {
    printRollback(ctx, await planRollback(store, cluster, to, location));
    return 0;
  }
  const operation = await ctx.operation();
  const { plan, report } = await rollback(store, cluster, to, { ...location, ...(operation ? { operation } : {}), withLease: (c, fn) => ctx.withClusterLease(c, fn, { store }) });
  printRollback(ctx, plan, report);
  return 0;
}

