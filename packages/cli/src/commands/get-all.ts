/**
 * `statestore get all CLUSTER [-o table|yaml|json]`: everything `kops get all` shows of a cluster — the
 * Cluster, its InstanceGroups and its addon objects (clusteraddons/default) — as kops's tables or as the
 * objects, in the form `plan -f` and `apply -f` read back. Never keys or secrets.
 */
import { NotFoundError } from '@statestore/core';
import { clusterConfigPath, clusterDocuments, readClusterState } from '@statestore/core/config';
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { jsonDocuments, kopsTable, yamlDocuments } from '../output.js';
import { CLUSTER_COLUMNS, clusterRow } from './get-clusters.js';
import { INSTANCE_GROUP_COLUMNS, instanceGroupRow } from './get-instancegroups.js';

export const command: CommandSpec = {
  name: 'get all',
  usage: 'get all CLUSTER [-o table|yaml|json]',
  summary: 'Show a cluster, its instance groups and its addon objects.',
  description: [
    'The objects kops keeps for a cluster outside its keys and secrets: config, instancegroup/* (labelled with',
    'their cluster, as kops shows them) and the addon objects of clusteraddons/default. -o yaml is the manifest',
    'form plan and apply read: commit it to git, edit it, and plan it back.',
  ].join('\n'),
  examples: [
    'statestore get all demo.example.com',
    'statestore get all demo.example.com -o yaml > demo.example.com.yaml',
    'statestore get all demo.example.com -o yaml > m.yaml && statestore plan -f m.yaml --detailed-exitcode   # exit 0: no changes',
  ],
  outputs: ['table', 'yaml', 'json'],
  options: {},
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const [positional, ...extra] = ctx.args.positionals;
  if (extra.length > 0) throw new UsageError(`get all takes one cluster, not ${ctx.args.positionals.length}`);
  const name = ctx.clusterName(positional);
  const store = await ctx.openStore();
  const state = await readClusterState(store, name);
  if (!state.config) {
    throw new NotFoundError(`cluster not found ${JSON.stringify(name)} in ${store.toString()}; list the clusters with \`statestore get clusters\``, { url: clusterConfigPath(store, name).toString() });
  }
  if (state.instanceGroups.size === 0) ctx.warn('No instance groups found');
  const output = ctx.output('table');
  if (output === 'yaml') ctx.out(yamlDocuments(clusterDocuments(state)));
  else if (output === 'json') ctx.out(jsonDocuments(clusterDocuments(state).map((d) => d.toJS()), false));
  else {
    const cluster = state.config.object;
    ctx.out(`Cluster\n${kopsTable(CLUSTER_COLUMNS, [clusterRow(name, cluster)])}`);
    ctx.out(`\nInstance Groups\n${kopsTable(INSTANCE_GROUP_COLUMNS, [...state.instanceGroups].map(([n, g]) => instanceGroupRow(ctx, cluster, n, g.object)))}`);
    const addons = state.addons?.objects ?? [];
    if (addons.length > 0) {
      const rows = addons.map((a) => {
        const version = (a.value.spec as { version?: unknown } | undefined)?.version;
        return [String((a.value.metadata as { name?: unknown } | undefined)?.name ?? ''), String(a.value.kind ?? ''), typeof version === 'string' ? version : ''];
      });
      ctx.out(`\nAddon Objects\n${kopsTable(['NAME', 'KIND', 'VERSION'], rows)}`);
    }
  }
  return 0;
}
