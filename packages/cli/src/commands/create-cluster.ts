/**
 * `statestore create cluster NAME`: writes a new cluster (config, instance groups, clusteraddons) exactly
 * as `kops create cluster` would for the same flags; on an existing cluster, merges the value options
 * given into what is stored and refuses options that would reshape it.
 */
import {
  ClusterRegistry,
  assertNoReshaping,
  buildCluster,
  defaultConfigBase,
  mergeClusterOptions,
  mergeInstanceGroupOptions,
  nodeCountShares,
  splitSetFlag,
  splitUnsetFlag,
  touchesInstanceGroups,
  type ClusterMergeOptions,
  type KopsCluster,
  type KopsYamlDocument,
  type StoredCluster,
} from '@statestore/core';
import { intOption, listOption, repeatedOption, stringOption, boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { jsonDocuments, yamlDocuments } from '../output.js';

export const command: CommandSpec = {
  name: 'create cluster',
  usage: 'create cluster NAME --zones ZONES [flags]',
  summary: 'Create a cluster configuration in the state store, or merge options into an existing one.',
  description: [
    'A new cluster is written in kops\'s layout and form: {store}/NAME/config, instancegroup/*, clusteraddons/default.',
    'Nothing is created in any cloud. Run again on an existing cluster to merge value options (sizes, counts,',
    'versions, networking, image, access lists, --set/--unset) into what is stored; options that reshape a cluster',
    '(--zones, --control-plane-zones, --control-plane-count, --topology, --network-cidr, --cloud) are refused when',
    'they differ from it: use `statestore edit cluster` for those.',
  ].join('\n'),
  examples: [
    'statestore create cluster demo.example.com --zones us-east-1a --state s3://my-state',
    'statestore create cluster demo.example.com --zones us-east-1a,us-east-1b --control-plane-count 3 --node-count 4 --node-size m5.large',
    'statestore create cluster demo.example.com --node-size m4.large          # merge into the stored cluster',
    'statestore create cluster demo.example.com --zones us-east-1a --cloud aws --state file:///tmp/state --dry-run -o yaml',
    'statestore create cluster demo.example.com --zones us-east-1a --set spec.kubelet.maxPods=200 --set "spec.sshAccess=10.0.0.0/8,192.168.0.0/16"',
  ],
  outputs: ['yaml', 'json'],
  options: {
    zones: { type: 'string', multiple: true, valueName: 'ZONES', description: 'Zones for subnets, nodes and (by default) the control plane; comma-separated' },
    'control-plane-zones': { type: 'string', multiple: true, aliases: ['master-zones'], valueName: 'ZONES', description: 'Zones for the control plane' },
    'control-plane-count': { type: 'string', aliases: ['master-count'], valueName: 'N', description: 'Number of control-plane instance groups' },
    'control-plane-size': { type: 'string', multiple: true, aliases: ['master-size'], valueName: 'TYPES', description: 'Control-plane machine type(s)' },
    'node-count': { type: 'string', valueName: 'N', description: 'Total number of nodes, divided over the zones' },
    'node-size': { type: 'string', multiple: true, valueName: 'TYPES', description: 'Node machine type(s)' },
    'kubernetes-version': { type: 'string', valueName: 'VERSION', description: 'Kubernetes version (default: the stable channel\'s)' },
    networking: { type: 'string', valueName: 'PLUGIN', description: 'cilium (default), calico, cni, kubenet, flannel, kube-router, amazonvpc, …' },
    topology: { type: 'string', valueName: 'public|private', description: 'Network topology (default public)' },
    cloud: { type: 'string', valueName: 'CLOUD', description: 'aws, gce, openstack, digitalocean, hetzner, azure, scaleway, linode (default: from the store scheme)' },
    image: { type: 'string', valueName: 'IMAGE', description: 'Machine image for every instance group' },
    'network-cidr': { type: 'string', multiple: true, valueName: 'CIDR', description: 'Network CIDR; more than one adds CIDRs with their own subnets' },
    'admin-access': { type: 'string', multiple: true, valueName: 'CIDRS', description: 'CIDRs allowed to reach the Kubernetes API (default 0.0.0.0/0,::/0)' },
    'ssh-access': { type: 'string', multiple: true, valueName: 'CIDRS', description: 'CIDRs allowed to SSH (default: the admin access)' },
    channel: { type: 'string', valueName: 'CHANNEL', description: 'Channel (default stable)' },
    authorization: { type: 'string', valueName: 'RBAC|AlwaysAllow', description: 'Authorization mode (default RBAC)' },
    dns: { type: 'string', valueName: 'public|private|none', description: 'DNS type (default none)' },
    'dns-zone': { type: 'string', valueName: 'ZONE', description: 'DNS hosted zone' },
    project: { type: 'string', valueName: 'PROJECT', description: 'GCE project' },
    set: { type: 'string', multiple: true, aliases: ['override'], valueName: 'PATH=VALUE', description: 'Set a cluster field (kops field path; unquoted commas separate assignments)' },
    unset: { type: 'string', multiple: true, valueName: 'PATH', description: 'Unset a cluster field' },
    'dry-run': { type: 'boolean', description: 'Print the objects (with -o) instead of writing them' },
  },
  run,
};

function mergeOptions(ctx: CommandContext): ClusterMergeOptions {
  const a = ctx.args;
  const options: ClusterMergeOptions = {
    cloud: stringOption(a, 'cloud'),
    zones: listOption(a, 'zones'),
    controlPlaneZones: listOption(a, 'control-plane-zones'),
    controlPlaneCount: intOption(a, 'control-plane-count'),
    topology: stringOption(a, 'topology'),
    networkCidrs: listOption(a, 'network-cidr'),
    kubernetesVersion: stringOption(a, 'kubernetes-version'),
    networking: stringOption(a, 'networking'),
    controlPlaneSizes: listOption(a, 'control-plane-size'),
    nodeSizes: listOption(a, 'node-size'),
    nodeCount: intOption(a, 'node-count'),
    image: stringOption(a, 'image'),
    adminAccess: listOption(a, 'admin-access'),
    sshAccess: listOption(a, 'ssh-access'),
    channel: stringOption(a, 'channel'),
    dnsZone: stringOption(a, 'dns-zone'),
    project: stringOption(a, 'project'),
    sets: repeatedOption(a, 'set').flatMap(splitSetFlag),
    unsets: repeatedOption(a, 'unset').flatMap(splitUnsetFlag),
  };
  return options;
}

async function run(ctx: CommandContext): Promise<number> {
  const [positional, ...extra] = ctx.args.positionals;
  if (extra.length > 0) throw new UsageError(`expected one cluster name, got ${ctx.args.positionals.join(' ')}`);
  const name = ctx.clusterName(positional);
  const dryRun = boolOption(ctx.args, 'dry-run');
  const output = stringOption(ctx.args, 'output');
  if (dryRun && !output) throw new UsageError('unable to execute --dry-run without setting --output (-o yaml or -o json)');
  const options = mergeOptions(ctx);
  const store = await ctx.openStore();
  const registry = new ClusterRegistry(store);
  const existing = await registry.findCluster(name);
  if (existing) return merge(ctx, registry, existing, options, dryRun);

  if (!options.zones || options.zones.length === 0) throw new UsageError('must specify at least one zone for the cluster (use --zones)');
  const built = buildCluster({
    name,
    configBase: defaultConfigBase(store, name),
    cloud: options.cloud,
    zones: options.zones,
    controlPlaneZones: options.controlPlaneZones,
    controlPlaneCount: options.controlPlaneCount,
    controlPlaneSizes: options.controlPlaneSizes,
    nodeCount: options.nodeCount,
    nodeSizes: options.nodeSizes,
    kubernetesVersion: options.kubernetesVersion,
    networking: options.networking,
    topology: options.topology,
    image: options.image,
    networkCidrs: options.networkCidrs,
    adminAccess: options.adminAccess,
    sshAccess: options.sshAccess,
    channel: options.channel,
    authorization: stringOption(ctx.args, 'authorization'),
    dns: stringOption(ctx.args, 'dns'),
    dnsZone: options.dnsZone,
    project: options.project,
    sets: options.sets,
    unsets: options.unsets,
    env: ctx.env,
  });
  for (const notice of built.notices ?? []) ctx.log(0, notice);
  const docs = [built.cluster, ...built.instanceGroups];
  if (dryRun) {
    printObjects(ctx, docs, output!);
    return 0;
  }
  await ctx.warnIfNoAtomicCreate(store);
  await registry.createCluster(built);
  const files = ['config', ...built.instanceGroups.map((g) => `instancegroup/${g.name}`), 'clusteraddons/default'].map((f) => store.join(name, f).toString());
  if (output === 'json') {
    ctx.json({ cluster: name, store: store.toString(), action: 'created', files });
  } else if (output === 'yaml') {
    printObjects(ctx, docs, 'yaml');
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

/** Re-create on an existing cluster: the seeds' merge. */
async function merge(ctx: CommandContext, registry: ClusterRegistry, existing: StoredCluster, options: ClusterMergeOptions, dryRun: boolean): Promise<number> {
  const name = existing.name;
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

  await ctx.warnIfNoAtomicCreate(registry.store);
  const changed: string[] = [];
  const before = existing.doc.toString();
  const igObjects = stored.map((g) => g.instanceGroup);
  const clusterDoc = await registry.updateCluster(name, (doc) => mergeClusterOptions(doc, options), { instanceGroups: igObjects });
  if (clusterDoc.toString() !== before) changed.push(existing.path.toString());
  const clusterObject = clusterDoc.toJS() as unknown as KopsCluster;
  if (touchesInstanceGroups(options)) {
    for (const g of stored) {
      const igBefore = g.doc.toString();
      const after = await registry.updateInstanceGroup(name, g.name, (doc) => mergeInstanceGroupOptions(doc, options, { cloud, nodeShare: shares?.get(g.name) }), { cluster: clusterObject });
      if (after.toString() !== igBefore) changed.push(g.path.toString());
    }
  }
  if (output === 'json') ctx.json({ cluster: name, store: registry.store.toString(), action: 'merged', files: changed });
  else if (output === 'yaml') printObjects(ctx, [clusterDoc, ...(await registry.listInstanceGroups(name)).map((g) => g.doc)], 'yaml');
  else if (changed.length === 0) ctx.out(`Cluster ${name} already has these settings; nothing changed.\n`);
  else ctx.out(`Merged into cluster ${name}:\n${changed.map((f) => `  ${f}\n`).join('')}`);
  return 0;
}
