/**
 * `statestore unlock CLUSTER --id ID | --force`: breaks a cluster's lease by hand — by its id, refused when
 * the lease has changed hands since, or whatever holds it with --force. Expired leases need neither: the
 * next operator takes them over.
 */
import { breakLease, describeHolder } from '@statestore/core';
import { clusterLeasePath } from '@statestore/core/config';
import { boolOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'unlock',
  usage: 'unlock CLUSTER (--id ID | --force)',
  summary: "Break a cluster's lease (by its id, or whatever holds it with --force).",
  description: [
    'With --id, the lease is removed only if it still has that id (`statestore lock status` and the message of a command',
    'that gave up waiting show it); a lease that has changed hands since is left alone (exit 1). --force removes the lease',
    'whoever holds it and prints the holder it broke. A holder whose lease is broken stops using it at its next renewal:',
    '`statestore lock run` then stops its command. Leases whose holder is gone expire by themselves (after their time-to-live,',
    'at once when the holder was a process of this host).',
  ].join('\n'),
  examples: ['statestore unlock demo.example.com --id 5b0c8f0e-7d0a-4c11-9d51-1f0f2f4b8a77', 'statestore unlock demo.example.com --force'],
  outputs: ['text', 'json'],
  options: {
    id: { type: 'string', valueName: 'ID', description: 'Remove the lease only if it has this id' },
    force: { type: 'boolean', description: 'Remove the lease whoever holds it' },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const cluster = ctx.onlyClusterName();
  const id = stringOption(ctx.args, 'id');
  const force = boolOption(ctx.args, 'force');
  if ((id === undefined) === !force) throw new UsageError('give either --id ID (the lease to remove) or --force (whatever lease is held)');
  const broken = await breakLease(clusterLeasePath(await ctx.openStore(), cluster), id !== undefined ? { id } : {});
  if (ctx.output('text') === 'json') ctx.json({ cluster, removed: broken !== undefined, ...(broken ? { holder: broken } : {}) });
  else if (broken) ctx.out(`Removed the lease of ${cluster} held by ${describeHolder(broken)}.\n`);
  else ctx.out(`${cluster}: no lease is held; nothing to remove.\n`);
  return 0;
}
