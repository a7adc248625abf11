/**
 * `statestore lock list`: the cluster leases of the state store — who holds each, since when, doing what.
 */
import { listClusterLeases } from '@statestore/core/config';
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { LEASE_HEADERS, leaseRow, leaseView } from '../lease-view.js';
import { table } from '../output.js';

export const command: CommandSpec = {
  name: 'lock list',
  usage: 'lock list [-o table|json]',
  summary: 'List the cluster leases of the state store.',
  description: 'A lease is held while a statestore command (or `statestore lock run`) changes a cluster. Expired leases are taken over by the next operator.',
  examples: ['statestore lock list', 'statestore lock list -o json --state s3://my-state'],
  outputs: ['table', 'json'],
  options: {},
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  if (ctx.args.positionals.length > 0) throw new UsageError(`lock list takes no arguments, got ${ctx.args.positionals.join(' ')}`);
  const leases = (await listClusterLeases(await ctx.openStore())).map((l) => leaseView(l.cluster, l.lease));
  if (ctx.output('table') === 'json') ctx.json(leases);
  else if (leases.length === 0) ctx.log(0, 'No cluster leases are held.');
  else ctx.out(table(LEASE_HEADERS, leases.map(leaseRow)));
  return 0;
}
