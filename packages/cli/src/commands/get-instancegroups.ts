/**
 * `statestore get instancegroups [IG...] --name CLUSTER`: the instance groups of a cluster as a table
 * (NAME, ROLE, MACHINETYPE, MIN, MAX, ZONES) or as the stored objects; with `--rev REV`, as they were at a
 * revision of the cluster's history.
 */
import { NotFoundError } from '@statestore/core';
import { ClusterRegistry, type StoredInstanceGroup, type KopsCluster, type KopsInstanceGroup } from '@statestore/core/config';
import { stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { jsonDocuments, kopsTable, yamlDocuments } from '../output.js';
import { storeAt } from '../revision-arg.js';

export const command: CommandSpec = {
  name: 'get instancegroups',
  usage: 'get instancegroups --name CLUSTER [IG...] [--rev REV] [-o table|yaml|json]',
  summary: 'List the instance groups of a cluster.',
  description: 'Positional arguments name instance groups, as in kops; the cluster comes from --name or $KOPS_CLUSTER_NAME.',
  examples: [
    'statestore get instancegroups --name demo.example.com',
    'statestore get ig nodes-us-east-1a --name demo.example.com -o yaml',
    'KOPS_CLUSTER_NAME=demo.example.com statestore get ig -o json',
    'statestore get ig --name demo.example.com --rev @-2       # as they were two revisions back (statestore history)',
  ],
  outputs: ['table', 'yaml', 'json'],
  options: { rev: { type: 'string', valueName: 'REV', description: 'Show them as they were at this revision of the cluster (statestore history)' } },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const cluster = ctx.clusterName(undefined);
  const rev = stringOption(ctx.args, 'rev');
  const registry = rev === undefined ? await ctx.clusters() : new ClusterRegistry(await storeAt(ctx, cluster, rev));
  const { cluster: clusterObject } = await registry.getCluster(cluster);
  const wanted = ctx.args.positionals;
  let groups: StoredInstanceGroup[];
  if (wanted.length > 0) {
    groups = [];
    for (const n of wanted) groups.push(await registry.getInstanceGroup(cluster, n));
  } else {
    groups = await registry.listInstanceGroups(cluster);
  }
  // kops fails on an empty listing, whatever the output format
  if (groups.length === 0) throw new NotFoundError(`no InstanceGroup objects found in cluster ${cluster}`);
  const output = ctx.output('table');
  if (output === 'json') {
    // one group is printed as an object, as kops does, whether or not it was named
    ctx.out(jsonDocuments(groups.map((g) => g.instanceGroup), true));
  } else if (output === 'yaml') {
    ctx.out(yamlDocuments(groups.map((g) => g.doc)));
  } else {
    ctx.out(kopsTable(INSTANCE_GROUP_COLUMNS, groups.map((g) => instanceGroupRow(ctx, clusterObject, g.name, g.instanceGroup))));
  }
  return 0;
}

export const INSTANCE_GROUP_COLUMNS = ['NAME', 'ROLE', 'MACHINETYPE', 'MIN', 'MAX', 'ZONES'];

/** A row of kops's instance-group table. */
export function instanceGroupRow(ctx: CommandContext, cluster: KopsCluster, name: string, ig: KopsInstanceGroup): string[] {
  const s = ig.spec;
  return [name, s.role === 'Master' ? 'ControlPlane' : String(s.role ?? ''), s.machineType ?? '', size(s.minSize), size(s.maxSize), zonesOf(ctx, cluster, name, ig).join(',')];
}

const size = (n: number | undefined) => (n === undefined || n === null ? '-' : String(n));

/** kops's FindZonesForInstanceGroup: the group's zones and its subnets' zones, sorted; empty (with a warning) for an unknown subnet. */
function zonesOf(ctx: CommandContext, cluster: KopsCluster, name: string, ig: KopsInstanceGroup): string[] {
  const zones = new Set(ig.spec.zones ?? []);
  for (const subnetName of ig.spec.subnets ?? []) {
    const subnet = (cluster.spec.subnets ?? []).find((s) => s.name === subnetName);
    if (!subnet) {
      ctx.warn(`error fetching zones for instancegroup: cannot find subnet ${JSON.stringify(subnetName)} (declared in instance group ${JSON.stringify(name)}, not found in cluster)`);
      return [];
    }
    if (subnet.zone) zones.add(subnet.zone);
  }
  return [...zones].sort();
}
