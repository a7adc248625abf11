/**
 * `statestore set cluster NAME PATH=VALUE...`: kops's field setter on the stored config (kops field
 * paths, list values appended), as one compare-and-swap under the cluster's lease, so concurrent `set`s all
 * land.
 */
import { setFields, type KopsYamlDocument } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { DRY_RUN_OPTION, dryRunText, fieldChanges, isDryRun } from '../dry-run.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'set cluster',
  usage: 'set cluster [NAME] PATH=VALUE...',
  summary: 'Set cluster fields by kops field path.',
  description: [
    'Paths use kops\'s names (spec.kubernetesVersion, spec.kubelet.maxPods, spec.etcdClusters[*].version, spec.networking.networkCIDR).',
    'A list field appends the comma-separated values; [N] equal to the list length adds an element; map fields take key=value.',
  ].join('\n'),
  examples: [
    'statestore set cluster demo.example.com spec.kubernetesVersion=1.35.2',
    'statestore set cluster demo.example.com spec.kubelet.authenticationTokenWebhook=true spec.etcdClusters[*].version=3.5.17',
    'statestore set cluster demo.example.com spec.sshAccess=10.0.0.0/8,192.168.0.0/16 -o json',
  ],
  outputs: ['text', 'json'],
  options: { 'dry-run': DRY_RUN_OPTION, 'lock-timeout': LOCK_TIMEOUT_OPTION },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const names = ctx.args.positionals.filter((p) => !p.includes('='));
  const fields = ctx.args.positionals.filter((p) => p.includes('='));
  if (names.length > 1) throw new UsageError(`expected at most one cluster name, got ${names.join(' ')}`);
  if (fields.length === 0) throw new UsageError('give at least one PATH=VALUE, e.g. spec.kubernetesVersion=1.35.2');
  const name = ctx.clusterName(names[0]);
  const dryRun = isDryRun(ctx.args);
  const registry = await ctx.clusters();
  let before: unknown;
  const mutate = (d: KopsYamlDocument) => {
    before = d.toJS();
    setFields(d, 'Cluster', fields);
  };
  const update = async () => {
    const igs = (await registry.listInstanceGroups(name)).map((g) => g.instanceGroup);
    return registry.updateCluster(name, mutate, { instanceGroups: igs, dryRun });
  };
  const doc = dryRun ? await update() : await ctx.withClusterLease(name, update);
  const changes = dryRun ? fieldChanges(before, doc.toJS()) : undefined;
  if (ctx.output('text') === 'json') ctx.json({ cluster: name, set: fields, generation: doc.getIn(['metadata', 'generation']) ?? 0, ...(changes ? { dryRun, changes } : {}) });
  else if (changes) ctx.out(dryRunText(`Cluster ${name}`, changes));
  else ctx.out(`Cluster ${name}: set ${fields.map((f) => f.slice(0, f.indexOf('='))).join(', ')}\n`);
  return 0;
}
