/**
 * `statestore plan -f PATH... [--prune] [-o FILE] [--detailed-exitcode]`: what applying a cluster's manifests
 * would change, field by field, without writing anything; `-o FILE` saves the plan for `statestore apply FILE`.
 * A thin adapter to core's `readManifests` and `planCluster`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { planCluster, readManifests, stringifyPlan } from '@statestore/core/config';
import { boolOption, repeatedOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.js';
import { readManifestFiles } from '../manifest-files.js';
import { renderPlan } from '../plan-output.js';

/** `--detailed-exitcode`, as Terraform's: 0 no changes, 1 error (of any kind), 2 changes. */
const EXIT_CHANGES = 2;

export const command: CommandSpec = {
  name: 'plan',
  usage: 'plan -f PATH... [--prune] [-o FILE] [--detailed-exitcode] [--name CLUSTER]',
  summary: "Show what applying a cluster's manifests would change; save it for apply.",
  description: [
    'Reads manifests in `get all` form (multi-document YAML or the JSON of `get all -o json`; files, folders of',
    '.yaml/.yml/.json files, - for stdin, or store URLs) for one cluster and compares them with the store as kops',
    'reads it: + create, ~ change (with the fields), - delete. Instance groups and addon objects the manifests',
    'do not name are kept unless --prune is given; the cluster is never deleted. Nothing is written to the store.',
    '-o FILE saves the plan (JSON: the documents, the store and cluster, the version of every object read and',
    'the instance-group listing) for `statestore apply FILE`, which refuses it if the store has moved since.',
  ].join('\n'),
  exitCodes: '0 ok, 1 failure, 2 usage; with --detailed-exitcode: 0 no changes, 1 error (of any kind), 2 changes',
  examples: [
    'statestore get all demo.example.com -o yaml > demo.yaml && statestore plan -f demo.yaml --detailed-exitcode',
    'statestore plan -f clusters/demo/ --prune -o plan.json && statestore apply plan.json',
  ],
  options: {
    filename: { type: 'string', short: 'f', multiple: true, valueName: 'PATH', description: 'Manifest file or folder (- for stdin, or a store URL)' },
    prune: { type: 'boolean', description: 'Delete instance groups and addon objects the manifests do not name (never the cluster)' },
    out: { type: 'string', short: 'o', aliases: ['output'], valueName: 'FILE', description: 'Save the plan as JSON for `statestore apply FILE` (- for stdout; the summary then goes to stderr)' },
    'detailed-exitcode': { type: 'boolean', description: 'Exit 0 when there are no changes, 2 when there are, 1 on any error' },
  },
  usageExitCode: (argv) => (argv.some((a) => a === '--detailed-exitcode' || a === '--detailed-exitcode=true') ? EXIT_FAILURE : EXIT_USAGE),
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const inputs = repeatedOption(ctx.args, 'filename');
  if (inputs.length === 0) throw new UsageError('give the manifests to plan with -f PATH (a file, a folder, or - for stdin)');
  if (ctx.args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.args.positionals[0])}; manifests are given with -f`);
  const name = stringOption(ctx.args, 'name');
  const manifests = readManifests(await readManifestFiles(ctx, inputs), name ? { cluster: name } : {});
  const store = await ctx.openStore();
  const plan = await planCluster(store, manifests, { prune: boolOption(ctx.args, 'prune'), open: (url) => ctx.open(url) });
  const out = stringOption(ctx.args, 'out');
  const text = renderPlan(ctx, plan, manifests);
  if (out === '-') {
    ctx.out(stringifyPlan(plan));
    ctx.io.stderr.write(text);
  } else {
    ctx.out(text);
    if (out !== undefined) {
      await writeFile(path.resolve(ctx.io.cwd, out), stringifyPlan(plan));
      ctx.out(`Saved the plan to ${out}; apply it with: statestore apply ${out}\n`);
    }
  }
  if (!boolOption(ctx.args, 'detailed-exitcode')) return EXIT_OK;
  return plan.changes.length > 0 ? EXIT_CHANGES : EXIT_OK;
}
