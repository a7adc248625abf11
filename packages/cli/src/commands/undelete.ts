/**
 * `statestore undelete CLUSTER [--dry-run] [-m MESSAGE]`: after `delete cluster --yes` (or a deletion made outside
 * Statestore), brings back every file of the cluster as it was just before, byte for byte, as a new revision. A
 * thin adapter to core's `planUndelete` and `undelete`.
 */
import { planUndelete, undelete } from '@statestore/core';
import { boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printRollback } from '../rollback-output.js';

export const command: CommandSpec = {
  name: 'undelete',
  usage: 'undelete CLUSTER [--dry-run] [-m MESSAGE] [-o text|json]',
  summary: 'Bring back a deleted cluster from the history, every file as it was.',
  description: 'Refused when the cluster exists (use rollback --to REV) or when the history holds no deletion of it. Cloud resources are not touched.',
  examples: ['statestore undelete demo.example.com --dry-run', 'statestore undelete demo.example.com -m "deleted the wrong cluster"'],
  outputs: ['text', 'json'],
  options: { 'dry-run': { type: 'boolean', description: 'Only show what would be written' } },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const [positional, ...extra] = ctx.args.positionals;
  if (extra.length > 0) throw new UsageError(`expected one cluster name, got ${ctx.args.positionals.join(' ')}`);
  const cluster = ctx.clusterName(positional);
  const store = await ctx.openStore();
  if (boolOption(ctx.args, 'dry-run')) {
    printRollback(ctx, 'undelete', await planUndelete(store, cluster));
    return 0;
  }
  // LEASE CALL SITE (issue 21): pass `withLease` (the cluster's lease) here once CommandContext offers it.
  const operation = await ctx.operation();
  const { plan, report } = await undelete(store, cluster, operation ? { operation } : {});
  printRollback(ctx, 'undelete', plan, report);
  return 0;
}
