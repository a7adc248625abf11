/**
 * `statestore replace -f FILE`: replaces stored Clusters and InstanceGroups with the documents of YAML
 * files (multi-document, `-` for stdin, or any store URL), as `kops replace -f` does. Missing objects
 * need `--force`. Every document is parsed and checked (core's planReplace) before the first write, all
 * under the leases of the clusters the files name.
 */
import { CLUSTER_LABEL, KopsYamlDocument, planReplace, splitKopsDocuments } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, boolOption, repeatedOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { DRY_RUN_OPTION, isDryRun } from '../dry-run.js';
import { UsageError } from '../errors.js';
import { readInputFile } from '../manifest-files.js';

export const command: CommandSpec = {
  name: 'replace',
  usage: 'replace -f FILE... [--force] [--dry-run]',
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
    'dry-run': DRY_RUN_OPTION,
    'lock-timeout': LOCK_TIMEOUT_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const files = repeatedOption(ctx.args, 'filename');
  if (files.length === 0) throw new UsageError('give the file(s) to read with -f FILE (or -f - for stdin)');
  const dryRun = isDryRun(ctx.args);
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
  // Then, holding the lease of every cluster named, check every object against what the whole set leaves
  // behind, before writing any of them.
  const clusters = docs.map((doc) => (doc.kind === 'Cluster' ? doc.name : doc.getIn(['metadata', 'labels', CLUSTER_LABEL]))).filter((c): c is string => typeof c === 'string' && c !== '');
  const replace = async () => (await planReplace(registry, docs, { force: boolOption(ctx.args, 'force') })).apply({ dryRun });
  const results = dryRun ? await replace() : await ctx.withClusterLeases(clusters.map((cluster) => ({ cluster })), replace);
  if (ctx.output('text') === 'json') ctx.json(dryRun ? results.map((r) => ({ ...r, dryRun })) : results);
  else for (const r of results) ctx.out(`${r.kind} ${r.name}${r.kind === 'InstanceGroup' ? ` (cluster ${r.cluster})` : ''} ${dryRun ? `would be ${r.action} (dry run)` : r.action}\n`);
  return 0;
}
