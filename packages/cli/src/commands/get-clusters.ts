/**
 * `statestore get clusters [NAME...]` / `get cluster NAME -o yaml|json`: the clusters of the state store,
 * as a table (NAME, CLOUD, ZONES) or as the stored objects. `--full` prints the completed spec instead.
 * `NAME@REV` prints a cluster as it was at a revision of its history.
 */
import { NotFoundError, type VfsPath } from '@statestore/core';
import { ClusterRegistry, PATH_COMPLETED_SPEC, KopsYamlDocument, configBaseFolder, type KopsCluster, type StoredCluster } from '@statestore/core/config';
import { boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { jsonDocuments, kopsTable, yamlDocuments } from '../output.js';
import { splitRevision, storeAt } from '../revision-arg.js';

export const command: CommandSpec = {
  name: 'get clusters',
  usage: 'get clusters [NAME[@REV]...] [-o table|yaml|json]',
  summary: 'List the clusters of the state store, or print them as kops objects.',
  description:
    'Clusters are the first-level folders of the store that hold a config (a cluster name is a DNS name; nested folders are never clusters, and the rest of the store is not read). YAML output is the stored config with its comments.',
  examples: [
    'statestore get clusters --state s3://my-state              # exit 1 when there are none, as kops',
    'statestore get cluster demo.example.com -o yaml',
    'statestore get clusters -o json | jq -r ".[].metadata.name"',
    'statestore get cluster demo.example.com --full -o yaml    # the completed spec kops update --yes wrote',
    'statestore get cluster demo.example.com@-1 -o yaml        # as it was one revision back (statestore history)',
  ],
  outputs: ['table', 'yaml', 'json'],
  options: {
    full: { type: 'boolean', description: 'Print cluster-completed.spec (what kops update cluster --yes wrote) instead of config' },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const output = ctx.output('table');
  const registry = await ctx.clusters();
  const names = [...ctx.args.positionals];
  if (names.length === 0 && typeof ctx.args.values.name === 'string') names.push(ctx.args.values.name);
  let clusters: StoredCluster[];
  const stores = new Map<StoredCluster, VfsPath>();
  if (names.length > 0) {
    clusters = [];
    for (const arg of names) {
      const { name, rev } = splitRevision(arg);
      const store = await storeAt(ctx, name, rev);
      const cluster = await (rev === undefined ? registry : new ClusterRegistry(store)).getCluster(name);
      clusters.push(cluster);
      stores.set(cluster, store);
    }
  } else {
    const listed = await registry.listClusters();
    for (const w of listed.warnings) ctx.warn(w);
    clusters = listed.clusters;
  }
  // kops fails on an empty listing, whatever the output format (scripts test its exit code)
  if (clusters.length === 0) throw new NotFoundError(`no clusters found in ${registry.store.toString()}`, { url: registry.store.toString() });
  if (boolOption(ctx.args, 'full')) return printFull(ctx, clusters, stores, output, names.length === 1);
  if (output === 'table') {
    ctx.out(kopsTable(CLUSTER_COLUMNS, clusters.map((c) => clusterRow(c.name, c.cluster))));
    return 0;
  }
  const docs = clusters.map(withConfigBase);
  if (output === 'json') ctx.out(jsonDocuments(docs.map((d) => d.toJS()), names.length === 1));
  else ctx.out(yamlDocuments(docs));
  return 0;
}

export const CLUSTER_COLUMNS = ['NAME', 'CLOUD', 'ZONES'];

/** A row of kops's cluster table; ZONES: the sorted unique zones of its subnets (regional GCE subnets have none). */
export function clusterRow(name: string, cluster: KopsCluster): string[] {
  const zones = [...new Set((cluster.spec.subnets ?? []).map((s) => s.zone).filter((z): z is string => Boolean(z)))].sort();
  return [name, cluster.spec.cloudProvider ?? '', zones.join(',')];
}

/** kops fills an empty configBase in memory before printing. */
function withConfigBase(c: StoredCluster): KopsYamlDocument {
  if (c.doc.getIn(['spec', 'configBase'])) return c.doc;
  const doc = c.doc.clone();
  doc.setIn(['spec', 'configBase'], c.cluster.spec.configBase);
  return doc;
}

async function printFull(ctx: CommandContext, clusters: StoredCluster[], stores: Map<StoredCluster, VfsPath>, output: string, single: boolean): Promise<number> {
  ctx.log(0, '//\n//   WARNING: do not use a full cluster specification to define clusters; it is the completed spec, for inspection only.\n//');
  const docs: KopsYamlDocument[] = [];
  for (const c of clusters) {
    const store = stores.get(c) ?? (await ctx.openStore());
    const file = (await configBaseFolder(store, c.name, c.cluster.spec.configBase!, (url) => ctx.open(url))).folder.join(PATH_COMPLETED_SPEC);
    docs.push(KopsYamlDocument.parse(await file.readText(), file.toString()));
  }
  if (output === 'json') ctx.out(jsonDocuments(docs.map((d) => d.toJS()), single));
  else if (output === 'yaml') ctx.out(yamlDocuments(docs));
  else ctx.out(kopsTable(['NAME', 'CLOUD', 'KUBERNETES'], docs.map((d) => [d.name ?? '', String(d.getIn(['spec', 'cloudProvider']) ?? ''), String(d.getIn(['spec', 'kubernetesVersion']) ?? '')])));
  return 0;
}
