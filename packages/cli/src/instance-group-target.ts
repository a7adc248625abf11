/**
 * What every instance-group command starts with: the one positional instance-group name, the cluster
 * it belongs to (--name, KOPS_CLUSTER_NAME), the registry of the state store, and the stored cluster.
 */
import type { ClusterRegistry, KopsCluster } from '@statestore/core/config';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';

export interface InstanceGroupTarget {
  igName: string;
  cluster: string;
  registry: ClusterRegistry;
  clusterObject: KopsCluster;
}

export async function openInstanceGroupTarget(ctx: CommandContext): Promise<InstanceGroupTarget> {
  const [igName, ...extra] = ctx.args.positionals;
  if (!igName || extra.length > 0) throw new UsageError('expected exactly one instance group name');
  const cluster = ctx.clusterName(undefined);
  const registry = await ctx.clusters();
  const { cluster: clusterObject } = await registry.getCluster(cluster);
  return { igName, cluster, registry, clusterObject };
}
