/**
 * `statestore history diff CLUSTER REV1 [REV2]`: what changed in a cluster between two revisions (REV2 defaults to
 * the cluster as it is now), file by file and, for Cluster and InstanceGroup objects, field by field — the same
 * comparison, output and exit codes as `statestore diff` (0 equal, 1 different, 2 trouble, as diff(1)). Reads only.
 */
import { openRevision } from '@statestore/core';
import { diffStores } from '@statestore/core/sync';
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.js';
import { renderDiff } from './diff.js';

export const command: CommandSpec = {
  name: 'history diff',
  usage: 'history diff CLUSTER REV1 [REV2] [-o text|json]',
  summary: 'Show what changed in a cluster between two revisions (REV2: now, by default).',
  description: 'Revisions are named as `statestore history` prints them, or @-N (N revisions back). Keysets and secrets are never shown by value. Exit code 0 when equal, 1 when they differ, 2 on trouble (as diff(1)).',
  examples: ['statestore history diff demo.example.com @-1            # the last change', 'statestore history diff demo.example.com 3f2a9c1b @-0 -o json'],
  outputs: ['text', 'json'],
  options: {},
  failureExitCode: EXIT_USAGE,
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const [cluster, from, to, ...extra] = ctx.args.positionals;
  if (!cluster || !from || extra.length > 0) throw new UsageError('history diff takes a cluster and one or two revisions: CLUSTER REV1 [REV2]');
  const store = await ctx.openStore();
  const location = await ctx.historyLocation();
  const a = (await openRevision(store, cluster, from, location)).root.join(cluster);
  const b = to ? (await openRevision(store, cluster, to, location)).root.join(cluster) : store.join(cluster);
  const diff = await diffStores(a, b);
  const labelled = { ...diff, a: `${diff.a} (revision ${from})`, b: to ? `${diff.b} (revision ${to})` : `${diff.b} (now)` };
  if (ctx.output('text') === 'json') ctx.json(labelled);
  else ctx.out(renderDiff(ctx, labelled));
  return diff.added.length + diff.removed.length + diff.changed.length > 0 ? EXIT_FAILURE : EXIT_OK;
}
