/**
 * `statestore __complete clusters|instancegroups`: the names shell completion offers, one per line — the
 * clusters of the state store, or the instance groups of the cluster named by --name ($KOPS_CLUSTER_NAME).
 * The store comes from the same flags and places as any command's. Hidden from help; a store that cannot
 * be read gives no names and no message (a completion must never print into the command line).
 */
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: '__complete',
  usage: '__complete clusters|instancegroups [--state URL] [--name CLUSTER]',
  summary: "Print the clusters, or a cluster's instance groups, one name per line (for shell completion).",
  examples: ['statestore __complete clusters --state s3://my-state', 'statestore __complete instancegroups --name demo.example.com'],
  options: {},
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const [what, ...extra] = ctx.args.positionals;
  if ((what !== 'clusters' && what !== 'instancegroups') || extra.length > 0) throw new UsageError('give what to list: clusters or instancegroups');
  let names: string[] = [];
  try {
    const registry = await ctx.clusters();
    names = what === 'clusters' ? await registry.listClusterNames() : (await registry.listInstanceGroups(ctx.clusterName(undefined))).map((g) => g.name);
  } catch {
    // Nothing to offer: no store given, unreachable, no such cluster.
  }
  ctx.out(names.map((n) => `${n}\n`).join(''));
  return 0;
}
