/**
 * `statestore unset cluster NAME PATH...`: kops's field unsetter on the stored config, as one
 * compare-and-swap under the cluster's lease.
 */
import { unsetFields, type KopsYamlDocument } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { DRY_RUN_OPTION, dryRunText, fieldChanges, isDryRun } from '../dry-run.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'unset cluster',
  usage: 'unset cluster NAME PATH...',
  summary: 'Unset cluster fields by kops field path.',
  description: 'Optional fields are removed; fields kops always writes get their zero value; [*] unsets in every list element.',
  examples: ['statestore unset cluster demo.example.com spec.kubelet.maxPods', 'statestore unset cluster --name demo.example.com spec.etcdClusters[*].version'],
  outputs: ['text', 'json'],
  options: { 'dry-run': DRY_RUN_OPTION, 'lock-timeout': LOCK_TIMEOUT_OPTION },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const positionals = [...ctx.args.positionals];
  const flagName = typeof ctx.args.values.name === 'string' || ctx.env.KOPS_CLUSTER_NAME;
  const name = ctx.clusterName(flagName ? undefined : positionals.shift());
  if (positionals.length === 0) throw new UsageError('give at least one field path, e.g. spec.kubelet.maxPods');
  const dryRun = isDryRun(ctx.args);
  const registry = await ctx.clusters();
  let before: unknown;
  const mutate = (d: KopsYamlDocument) => {
    before = d.toJS();
    unsetFields(d, 'Cluster', positionals);
  };
  const update = async () => {
    const igs = (await registry.listInstanceGroups(name)).map((g) => g.instanceGroup);
    return registry.updateCluster(name, mutate, { instanceGroups: igs, dryRun });
  };
  const doc = dryRun ? await update() : await ctx.withClusterLease(name, update);
  const changes = dryRun ? fieldChanges(before, doc.toJS()) : undefined;
  if (ctx.output('text') === 'json') ctx.json({ cluster: name, unset: positionals, generation: doc.getIn(['metadata', 'generation']) ?? 0, ...(changes ? { dryRun, changes } : {}) });
  else if (changes) ctx.out(dryRunText(`Cluster ${name}`, changes));
  else ctx.out(`Cluster ${name}: unset ${positionals.join(', ')}\n`);
  return 0;
}
