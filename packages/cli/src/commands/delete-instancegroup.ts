/**
 * `statestore delete instancegroup IG --name CLUSTER --yes`: removes `instancegroup/IG` from the store
 * under the cluster's lease (state only; kops also deletes the group's instances). Refuses a group the etcd
 * clusters still use.
 */
import { LOCK_TIMEOUT_OPTION, boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { openInstanceGroupTarget } from '../instance-group-target.js';

export const command: CommandSpec = {
  name: 'delete instancegroup',
  usage: 'delete instancegroup IG --name CLUSTER --yes',
  summary: "Delete an instance group's state (never its instances).",
  examples: ['statestore delete instancegroup gpu-nodes --name demo.example.com --yes'],
  outputs: ['text', 'json'],
  options: { yes: { type: 'boolean', short: 'y', description: 'Really delete' }, 'lock-timeout': LOCK_TIMEOUT_OPTION },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const { igName, cluster, registry, clusterObject } = await openInstanceGroupTarget(ctx);
  const ig = await registry.getInstanceGroup(cluster, igName);
  const users = (clusterObject.spec.etcdClusters ?? []).filter((e) => (e.etcdMembers ?? []).some((m) => m.instanceGroup === igName)).map((e) => e.name);
  if (users.length > 0) {
    throw new Error(`instance group ${igName} runs members of etcd cluster(s) ${users.join(', ')}; remove those members with \`statestore edit cluster ${cluster}\` first`);
  }
  if (!boolOption(ctx.args, 'yes')) {
    ctx.out(`Would delete ${ig.path.toString()}\n`);
    ctx.log(0, 'Must specify --yes to delete. Instances are never deleted by Statestore.');
    return 0;
  }
  await ctx.withClusterLease(cluster, () => registry.deleteInstanceGroup(cluster, igName));
  if (ctx.output('text') === 'json') ctx.json({ cluster, instanceGroup: igName, deleted: true, file: ig.path.toString(), cloudResourcesDeleted: false });
  else {
    ctx.out(`Deleted ${ig.path.toString()}.\n`);
    ctx.log(0, 'Only state was removed; the group\'s instances (if any) were not touched.');
  }
  return 0;
}
