/**
 * `statestore replace -f FILE`: replaces stored Clusters and InstanceGroups with the documents of YAML
 * files (multi-document, `-` for stdin, or any store URL), as `kops replace -f` does. Missing objects
 * need `--force`. Each write is a compare-and-swap and is validated first, all under the leases of the
 * clusters the files name.
 */
import {
  CLUSTER_LABEL,
  ClusterRegistry,
  KopsYamlDocument,
  assertValidCluster,
  assertValidInstanceGroup,
  defaultConfigBase,
  prepareUserCluster,
  splitKopsDocuments,
  type KopsCluster,
  type KopsInstanceGroup,
} from '@statestore/core';
import { LOCK_TIMEOUT_OPTION, boolOption, repeatedOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { readInputFile } from '../manifest-files.js';

export const command: CommandSpec = {
  name: 'replace',
  usage: 'replace -f FILE... [--force]',
  summary: 'Replace clusters and instance groups with the objects in YAML files.',
  description: 'Documents are split on lines holding only ---. InstanceGroups need the kops.k8s.io/cluster label. The file text is stored as given (comments kept).',
  examples: [
    'statestore replace -f demo.example.com.yaml',
    'statestore get cluster demo.example.com -o yaml > c.yaml && $EDITOR c.yaml && statestore replace -f c.yaml',
    'cat cluster-and-igs.yaml | statestore replace -f - --force',
  ],
  outputs: ['text', 'json'],
  options: {
    filename: { type: 'string', short: 'f', multiple: true, valueName: 'FILE', description: 'File to read (- for stdin, or a store URL)' },
    force: { type: 'boolean', description: 'Create objects that do not exist yet' },
    'lock-timeout': LOCK_TIMEOUT_OPTION,
  },
  run,
};

interface Result {
  kind: string;
  name: string;
  cluster: string;
  action: 'replaced' | 'created' | 'unchanged';
}

async function run(ctx: CommandContext): Promise<number> {
  const files = repeatedOption(ctx.args, 'filename');
  if (files.length === 0) throw new UsageError('give the file(s) to read with -f FILE (or -f - for stdin)');
  const force = boolOption(ctx.args, 'force');
  const registry = await ctx.clusters();
  // Parse every document of every file first: a syntax error or an unknown kind anywhere writes nothing.
  const docs: KopsYamlDocument[] = [];
  for (const file of files) {
    for (const [i, section] of splitKopsDocuments(await readInputFile(ctx, file)).entries()) {
      const doc = KopsYamlDocument.parse(section, `${file} (document ${i + 1})`);
      if (doc.kind !== 'Cluster' && doc.kind !== 'InstanceGroup') {
        throw new UsageError(`unhandled kind ${JSON.stringify(doc.kind ?? '')} in ${file} (document ${i + 1}); replace takes Cluster and InstanceGroup objects`);
      }
      docs.push(doc);
    }
  }
  // Then, holding the lease of every cluster named, check every object (existence, validation) before
  // writing any of them.
  const clusters = docs.map((doc) => (doc.kind === 'Cluster' ? doc.name : doc.getIn(['metadata', 'labels', CLUSTER_LABEL]))).filter((c): c is string => typeof c === 'string' && c !== '');
  const results = await ctx.withClusterLeases(clusters.map((cluster) => ({ cluster })), async () => {
    const commits: Commit[] = [];
    for (const doc of docs) commits.push(doc.kind === 'Cluster' ? await planCluster(registry, doc, force) : await planInstanceGroup(registry, doc, force));
    const done: Result[] = [];
    for (const commit of commits) done.push(await commit());
    return done;
  });
  if (ctx.output('text') === 'json') ctx.json(results);
  else for (const r of results) ctx.out(`${r.kind} ${r.name}${r.kind === 'InstanceGroup' ? ` (cluster ${r.cluster})` : ''} ${r.action}\n`);
  return 0;
}

/** Writes one checked object. */
type Commit = () => Promise<Result>;

async function planCluster(registry: ClusterRegistry, doc: KopsYamlDocument, force: boolean): Promise<Commit> {
  const name = doc.name;
  if (!name) throw new UsageError('a Cluster document has no metadata.name');
  const existing = await registry.findCluster(name);
  if (!existing) {
    if (!force) throw new UsageError(`cluster ${name} does not exist in ${registry.store.toString()}; use --force to create it`);
    const cluster = prepareUserCluster(doc, { configBase: defaultConfigBase(registry.store, name) });
    return async () => {
      await registry.createCluster({ cluster, instanceGroups: [] });
      return { kind: 'Cluster', name, cluster: name, action: 'created' };
    };
  }
  const before = existing.doc.toString();
  const igs = (await registry.listInstanceGroups(name)).map((g) => g.instanceGroup);
  const object = doc.toJS() as unknown as KopsCluster;
  assertValidCluster({ ...object, spec: { ...object.spec, configBase: object.spec?.configBase || existing.cluster.spec.configBase } }, igs, {
    previous: existing.cluster,
    source: `Cluster ${name}`,
  });
  return async () => {
    const after = await registry.updateCluster(name, () => doc, { instanceGroups: igs });
    return { kind: 'Cluster', name, cluster: name, action: after.toString() === before ? 'unchanged' : 'replaced' };
  };
}

async function planInstanceGroup(registry: ClusterRegistry, doc: KopsYamlDocument, force: boolean): Promise<Commit> {
  const name = doc.name;
  const cluster = doc.getIn(['metadata', 'labels', CLUSTER_LABEL]);
  if (!name) throw new UsageError('an InstanceGroup document has no metadata.name');
  if (typeof cluster !== 'string' || cluster === '') throw new UsageError(`InstanceGroup ${name} must have the ${CLUSTER_LABEL} label naming its cluster`);
  const existing = await registry.findInstanceGroup(cluster, name);
  if (!existing) {
    if (!force) throw new UsageError(`instance group ${name} does not exist in cluster ${cluster}; use --force to create it`);
    return async () => {
      await registry.createInstanceGroup(cluster, doc);
      return { kind: 'InstanceGroup', name, cluster, action: 'created' };
    };
  }
  const { cluster: clusterObject } = await registry.getCluster(cluster);
  assertValidInstanceGroup(doc.toJS() as unknown as KopsInstanceGroup, clusterObject, `InstanceGroup ${name}`);
  const before = existing.doc.toString();
  return async () => {
    const after = await registry.updateInstanceGroup(cluster, name, () => doc, { cluster: clusterObject });
    return { kind: 'InstanceGroup', name, cluster, action: after.toString() === before ? 'unchanged' : 'replaced' };
  };
}
