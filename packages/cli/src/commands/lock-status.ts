/**
 * `statestore lock status CLUSTER`: whether the cluster's lease is held, and by whom.
 */
import { readCurrentLease } from '@statestore/core';
import { clusterLeasePath } from '@statestore/core/config';
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { leaseSentence, leaseView } from '../lease-view.js';

export const command: CommandSpec = {
  name: 'lock status',
  usage: 'lock status CLUSTER [-o text|json]',
  summary: "Show who holds a cluster's lease.",
  examples: ['statestore lock status demo.example.com', 'statestore lock status demo.example.com -o json'],
  outputs: ['text', 'json'],
  options: {},
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const cluster = ctx.onlyClusterName();
  const lease = await readCurrentLease(clusterLeasePath(await ctx.openStore(), cluster));
  const view = lease ? leaseView(cluster, lease) : undefined;
  if (ctx.output('text') === 'json') ctx.json({ cluster, held: view !== undefined, ...(view ? { lease: view } : {}) });
  else ctx.out(view ? `${leaseSentence(view)}\n` : `${cluster}: no lease is held\n`);
  return 0;
}
