/**
 * `statestore get instancegroups [IG...] --name CLUSTER`: the instance groups of a cluster as a table
 * (NAME, ROLE, MACHINETYPE, MIN, MAX, ZONES) or as the stored objects.
 */
import { ClusterRegistry, type StoredInstanceGroup, type KopsCluster } from '@statestore/core';
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { jsonDocuments, table, yamlDocuments } from '../output.js';

export const command: CommandSpec = {
  name: 'get instancegroups',
  usage: 'get instancegroups --name CLUSTER [IG...] [-o table|yaml|json]',
  summary: 'List the instance groups of a cluster.',
  description: 'Positional arguments name instance groups, as in kops; the cluster comes from --name or $KOPS_CLUSTER_NAME.',
  examples: ['statestore get instancegroups --name demo.example.com', 'statestore get ig nodes-us-east-1a --name demo.example.com -o yaml', 'KOPS_CLUSTER_NAME=demo.example.com statestore get ig -o json'],
  outputs: ['table', 'yaml', 'json'],
  options: {},
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const cluster = ctx.clusterName(undefined);
  const registry = new ClusterRegistry(await ctx.openStore());
  const { cluster: clusterObject } = await registry.getCluster(cluster);
  const wanted = ctx.args.positionals;
  let groups: StoredInstanceGroup[];
  if (wanted.length > 0) {
    groups = [];
    for (const n of wanted) groups.push(await registry.getInstanceGroup(cluster, n));
  } else {
    groups = await registry.listInstanceGroups(cluster);
  }
  const output = ctx.output('table');
  if (output === 'json') {
    ctx.out(jsonDocuments(groups.map((g) => g.instanceGroup), wanted.length === 1));
  } else if (output === 'yaml') {
    ctx.out(yamlDocuments(groups.map((g) => g.doc)));
  } else if (groups.length === 0) {
    ctx.log(0, `No instance groups found in cluster ${cluster}`);
  } else {
    ctx.out(
      table(
        ['NAME', 'ROLE', 'MACHINETYPE', 'MIN', 'MAX', 'ZONES'],
        groups.map((g) => {
          const s = g.instanceGroup.spec;
          return [g.name, s.role === 'Master' ? 'ControlPlane' : String(s.role ?? ''), s.machineType ?? '', String(s.minSize ?? ''), String(s.maxSize ?? ''), zonesOf(clusterObject, g).join(',')];
        }),
      ),
    );
  }
  return 0;
}

function zonesOf(cluster: KopsCluster, g: StoredInstanceGroup): string[] {
  if (g.instanceGroup.spec.zones?.length) return g.instanceGroup.spec.zones;
  const subnets = cluster.spec.subnets ?? [];
  return [...new Set((g.instanceGroup.spec.subnets ?? []).map((n) => subnets.find((s) => s.name === n)?.zone ?? '').filter(Boolean))].sort();
}
