/**
 * `statestore delete cluster NAME --yes`: removes the cluster's state folder `{store}/NAME` after
 * checking every file against kops's allow-list, under the cluster's lease (kept outside the folder).
 * State only: kops deletes the cloud resources first; Statestore never touches a cloud. Without --yes it
 * shows what would be removed.
 */
import type { ClusterDeletePlan } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'delete cluster',
  usage: 'delete cluster NAME [--yes]',
  summary: "Delete a cluster's state from the store (never cloud resources).",
  description: [
    'Removes {store}/NAME: config, instancegroup/, clusteraddons/, pki/, secrets/, addons/, manifests/, igconfig/, backups/,',
    'cluster-completed.spec, kops-version.txt. Any other file stops the delete (kops\'s rule). Instances, volumes, load',
    'balancers and DNS records are NOT deleted: use `kops delete cluster` for a running cluster.',
  ].join('\n'),
  examples: ['statestore delete cluster demo.example.com            # shows what would be removed', 'statestore delete cluster demo.example.com --yes'],
  outputs: ['text', 'json'],
  options: { yes: { type: 'boolean', short: 'y', description: 'Really delete' }, 'lock-timeout': LOCK_TIMEOUT_OPTION },
  run,
};

const STATE_ONLY =
  'Only state was removed: Statestore never deletes cloud resources (instances, volumes, load balancers, DNS records). If this cluster was running, delete it with `kops delete cluster` instead, which removes those first.';

async function run(ctx: CommandContext): Promise<number> {
  const name = ctx.onlyClusterName();
  const registry = await ctx.clusters();
  const json = ctx.output('text') === 'json';
  if (!boolOption(ctx.args, 'yes')) {
    const plan = await registry.planDeleteCluster(name);
    if (json) ctx.json(describe(name, plan, false));
    else {
      ctx.out(`Would delete the state of cluster ${name} (${plan.files.length} files under ${plan.folder.toString()}):\n${plan.files.map((f) => `  ${f.toString()}\n`).join('')}`);
      for (const u of plan.unknown) ctx.out(`  unknown file (would stop the delete): ${u}\n`);
      outside(ctx, plan);
      ctx.log(0, 'Must specify --yes to delete. Cloud resources are never deleted by Statestore.');
    }
    return 0;
  }
  const plan = await ctx.withClusterLease(name, () => registry.deleteCluster(name));
  if (json) ctx.json(describe(name, plan, true));
  else {
    ctx.out(`Deleted the state of cluster ${name}: ${plan.files.length} files under ${plan.folder.toString()}.\n`);
    outside(ctx, plan);
    ctx.log(0, STATE_ONLY);
  }
  return 0;
}

function outside(ctx: CommandContext, plan: ClusterDeletePlan): void {
  for (const o of plan.outside) ctx.out(`  not touched: ${o.field} ${o.url} (outside the cluster folder; remove it with statestore rm -r if it is no longer needed)\n`);
}

function describe(name: string, plan: ClusterDeletePlan, deleted: boolean) {
  return {
    cluster: name,
    deleted,
    folder: plan.folder.toString(),
    files: plan.files.map((f) => f.toString()),
    unknownFiles: plan.unknown,
    notTouched: plan.outside,
    cloudResourcesDeleted: false,
  };
}
