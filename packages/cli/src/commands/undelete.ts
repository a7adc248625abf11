/**
 * `statestore undelete CLUSTER [--dry-run] [-m MESSAGE]`: brings back what the newest deletion in the cluster's
 * history removed — every file after `delete cluster --yes` (or a deletion made outside Statestore), the instance
 * group after `delete ig` — byte for byte, as a new revision. A thin adapter to core's `planUndelete` and `undelete`.
 */
import { planUndelete, undelete } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printRollback } from '../rollback-output.js';

export const command: CommandSpec = {
  name: 'undelete',
  usage: 'undelete CLUSTER [--dry-run] [-m MESSAGE] [-o text|json]',
  summary: 'Bring back what the newest deletion removed: a deleted cluster, every file as it was.',
  description: [
    'Finds the newest revision that deleted files of the cluster (delete cluster --yes, delete ig, or a deletion made',
    'outside Statestore) and creates those files again with the content they had; files that exist now are left alone.',
    'Cloud resources are not touched. To go back to an earlier state of an existing cluster, use rollback --to REV.',
  ].join('\n'),
  examples: ['statestore undelete demo.example.com --dry-run', 'statestore undelete demo.example.com -m "deleted the wrong cluster"'],
  outputs: ['text', 'json'],
  options: { 'dry-run': { type: 'boolean', description: 'Only show what would be written' }, 'lock-timeout': LOCK_TIMEOUT_OPTION },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const cluster = ctx.onlyClusterName();
  const store = await ctx.openStore();
  const location = await ctx.historyLocation();
  if (boolOption(ctx.args, 'dry-run')) {
    printRollback(ctx, await planUndelete(store, cluster, location));
    return 0;
  }
  const operation = await ctx.operation();
  const { plan, report } = await undelete(store, cluster, { ...location, ...(operation ? { operation } : {}), withLease: (c, fn) => ctx.withClusterLease(c, fn, { store }) });
  printRollback(ctx, plan, report);
  return 0;
}
