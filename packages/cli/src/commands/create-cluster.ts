/**
 * `statestore create cluster NAME`: writes a new cluster (config, instance groups, clusteraddons) exactly
 * as `kops create cluster` would for the same flags; on an existing cluster, merges the value options
 * given into what is stored and refuses options that would reshape it. Writes happen under the cluster's
 * lease.
 */
import { InvalidConfigError } from '@statestore/core';
import { ClusterRegistry, assertNoReshaping, clusterNameErrors, buildCluster, defaultConfigBase, dryRunObjects, mergeClusterOptions, mergeInstanceGroupOptions, nodeCountShares, sshPublicKeyLocation, touchesInstanceGroups, type ClusterMergeOptions, type KopsCluster, type KopsYamlDocument, type StoredCluster } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, boolOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { CREATE_CLUSTER_OPTIONS, MERGEABLE_FLAGS, buildOptionsFromFlags, checkFlags, givenFlags, loadSshPublicKey } from '../create-cluster-flags.js';
import { UsageError } from '../errors.js';
import { jsonDocuments, yamlDocuments } from '../output.js';

export const command: CommandSpec = {
  name: 'create cluster',
  usage: 'create cluster NAME --zones ZONES [flags]',
  summary: 'Create a cluster configuration in the state store, or merge options into an existing one.',
  description: [
    "A new cluster is written as kops writes it: {store}/NAME/config, instancegroup/*, clusteraddons/default (and the",
    'admin SSH key under pki/ssh/public/admin/). Every kops create-cluster flag is taken; nothing is created in any cloud.',
    'Run again on an existing cluster to merge value options (sizes, counts, versions, networking, image, access lists,',
    '--set/--unset) into what is stored; options that reshape a cluster (--zones, --control-plane-zones,',
    '--control-plane-count, --topology, --network-cidr, --cloud) are refused when they differ from it, and options that',
    'only shape a new cluster (--bastion, --ipv6, --subnets, …) are refused: use `statestore edit cluster` for those.',
  ].join('\n'),
  examples: [
    'statestore create cluster demo.example.com --zones us-east-1a --state s3://my-state',
    'statestore create cluster demo.example.com --zones us-east-1a,us-east-1b,us-east-1c --control-plane-count 3 --node-count 4 --node-size m5.large',
    'statestore create cluster demo.example.com --zones us-east-1a --topology private --bastion --dns public --dns-zone example.com',
    'statestore create cluster demo.example.com --node-size m4.large          # merge into the stored cluster',
    'statestore create cluster demo.example.com --zones us-east-1a --cloud aws --state file:///tmp/state --dry-run -o yaml',
    'statestore create cluster demo.example.com --zones us-east-1a --set spec.kubelet.maxPods=200 --set "spec.sshAccess=10.0.0.0/8,192.168.0.0/16"',
  ],
  outputs: ['yaml', 'json'],
  options: { ...CREATE_CLUSTER_OPTIONS, 'lock-timeout': LOCK_TIMEOUT_OPTION },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const name = ctx.onlyClusterName();
  checkFlags(ctx.args, ctx.env);
  const dryRun = boolOption(ctx.args, 'dry-run');
  const output = stringOption(ctx.args, 'output');
  if (dryRun && !output) throw new UsageError('unable to execute --dry-run without setting --output (-o yaml or -o json)');
  // The name becomes a folder of the store: check it before any store access (kops's name rules).
  assertClusterName(name);
  const registry = await ctx.clusters();
  const store = registry.store;
  const existing = await registry.findCluster(name);
  const flags = buildOptionsFromFlags(ctx);
  if (existing) return merge(ctx, registry, existing, { ...flags, zones: flags.zones.length > 0 ? flags.zones : undefined }, dryRun);

  if (flags.zones.length === 0) throw new UsageError('must specify at least one zone for the cluster (use --zones)');
  for (const ignored of ['etcd-count', 'etcd-size', 'scheduler-count', 'scheduler-size', 'kcm-count', 'kcm-size']) {
    if (ctx.args.values[ignored] !== undefined) ctx.log(0, `--${ignored} has no effect: kops 1.37 accepts it (ExperimentalRoles) but creates no such instance groups.`);
  }
  const built = buildCluster({ ...flags, name, configBase: stringOption(ctx.args, 'config-base') || defaultConfigBase(store, name) });
  const cluster = built.cluster.toJS() as unknown as KopsCluster;
  const sshPublicKey = await loadSshPublicKey(ctx, cluster.spec.cloudProvider, !dryRun);
  if (sshPublicKey) built.sshPublicKey = sshPublicKey;
  for (const notice of built.notices ?? []) ctx.log(0, notice);
  if (dryRun) {
    printObjects(ctx, dryRunObjects(built), output!);
    return 0;
  }
  await ctx.withClusterLease(name, () => registry.createCluster(built));
  const files = [
    ...['config', ...built.instanceGroups.map((g) => `instancegroup/${g.name}`), 'clusteraddons/default'].map((f) => store.join(name, f).toString()),
    ...(built.sshPublicKey ? [sshPublicKeyLocation(cluster.spec, built.sshPublicKey.id)] : []),
  ];
  if (output === 'json') {
    ctx.json({ cluster: name, store: store.toString(), action: 'created', files });
  } else if (output === 'yaml') {
    printObjects(ctx, [built.cluster, ...built.instanceGroups], 'yaml');
  } else {
    ctx.out(`Created cluster ${name} in ${store.toString()}:\n${files.map((f) => `  ${f}\n`).join('')}`);
    ctx.log(0, `Nothing was created in any cloud. Review with: statestore get cluster ${name} -o yaml; change with: statestore edit cluster ${name}`);
  }
  return 0;
}

function printObjects(ctx: CommandContext, docs: readonly KopsYamlDocument[], output: string): void {
  if (output === 'json') ctx.out(jsonDocuments(docs.map((d) => d.toJS()), false));
  else ctx.out(yamlDocuments(docs));
}

/** The cluster-name rules kops applies at create, before the name is used as a store folder. */
function assertClusterName(name: string): void {
  const problems = clusterNameErrors(name);
  if (problems.length > 0) throw new InvalidConfigError(`The new cluster ${name.length > 80 ? `${name.slice(0, 77)}...` : name} is not valid:\n  ${problems.join('\n  ')}`);
}

/** Re-create on an existing cluster: the seeds' merge. */
async function merge(ctx: CommandContext, registry: ClusterRegistry, existing: StoredCluster, options: ClusterMergeOptions, dryRun: boolean): Promise<number> {
  const name = existing.name;
  const newOnly = givenFlags(ctx.args).filter((f) => !MERGEABLE_FLAGS.has(f));
  if (newOnly.length > 0) {
    throw new UsageError(
      `cluster ${name} already exists; ${newOnly.map((f) => `--${f}`).join(', ')} only shape${newOnly.length === 1 ? 's' : ''} a new cluster and cannot be merged into it: use \`statestore edit cluster ${name}\` (or edit ig / create ig)`,
    );
  }
  const stored = await registry.listInstanceGroups(name);
  assertNoReshaping(existing.cluster, stored.map((g) => g.instanceGroup), options);
  const cloud = existing.cluster.spec.cloudProvider;
  const shares = options.nodeCount === undefined ? undefined : nodeCountShares(stored.filter((g) => g.instanceGroup.spec.role === 'Node').map((g) => g.name), options.nodeCount);
  const output = stringOption(ctx.args, 'output');

  if (dryRun) {
    const clusterDoc = existing.doc.clone();
    mergeClusterOptions(clusterDoc, options);
    const igDocs = stored.map((g) => {
      const doc = g.doc.clone();
      mergeInstanceGroupOptions(doc, options, { cloud, nodeShare: shares?.get(g.name) });
      return doc;
    });
    printObjects(ctx, [clusterDoc, ...igDocs], output!);
    return 0;
  }

  const changed: string[] = [];
  const clusterDoc = await ctx.withClusterLease(name, async () => {
    const before = existing.doc.toString();
    const igObjects = stored.map((g) => g.instanceGroup);
    const doc = await registry.updateCluster(name, (d) => mergeClusterOptions(d, options), { instanceGroups: igObjects });
    if (doc.toString() !== before) changed.push(existing.path.toString());
    const clusterObject = doc.toJS() as unknown as KopsCluster;
    if (touchesInstanceGroups(options)) {
      for (const g of stored) {
        const igBefore = g.doc.toString();
        const after = await registry.updateInstanceGroup(name, g.name, (d) => mergeInstanceGroupOptions(d, options, { cloud, nodeShare: shares?.get(g.name) }), { cluster: clusterObject });
        if (after.toString() !== igBefore) changed.push(g.path.toString());
      }
    }
    return doc;
  });
  if (output === 'json') ctx.json({ cluster: name, store: registry.store.toString(), action: 'merged', files: changed });
  else if (output === 'yaml') printObjects(ctx, [clusterDoc, ...(await registry.listInstanceGroups(name)).map((g) => g.doc)], 'yaml');
  else if (changed.length === 0) ctx.out(`Cluster ${name} already has these settings; nothing changed.\n`);
  else ctx.out(`Merged into cluster ${name}:\n${changed.map((f) => `  ${f}\n`).join('')}`);
  return 0;
}
