/**
 * `statestore apply PLAN` / `statestore apply -f PATH... [--prune] --yes`: carries out a saved plan (refused,
 * with nothing written, if the store moved since it was made), or plans manifests and applies them in one go.
 * A thin adapter to core's `applyPlan` and `applyManifests`, under the cluster's lease; an apply stopped
 * part-way is reported with what landed and the command that resumes it.
 */
import { ApplyIncompleteError, applyManifests, applyPlan, parsePlan, planCluster, readManifests, type ApplyOptions, type ApplyReport, type ClusterPlan } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, boolOption, repeatedOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import { readInputFile, readManifestFiles } from '../manifest-files.js';
import { renderApplyReport, renderPlan } from '../plan-output.js';

export const command: CommandSpec = {
  name: 'apply',
  usage: 'apply PLAN [-m MESSAGE] | apply -f PATH... [--prune] --yes [-m MESSAGE]',
  summary: 'Carry out a saved plan, or apply manifests (--yes), with compare-and-swap writes.',
  description: [
    'apply PLAN writes exactly what `statestore plan -o PLAN` saved, to the store it was made for, each write a',
    'compare-and-swap against the version the plan read. If anything the plan read has changed, been added or',
    'been removed since, the plan is refused naming what moved, and nothing is written. Every document is',
    'validated (kops\'s rules, the cluster with all its instance groups) before the first write. If a write fails',
    'after others landed, the report says what landed and what did not: run the same command again to finish',
    '(what landed is recognised and skipped).',
    'apply -f PATH... plans the manifests and, with --yes, applies them at once; without --yes it shows the plan.',
    '--prune deletes instance groups and addon objects the manifests do not name (never the cluster).',
  ].join('\n'),
  examples: [
    'statestore plan -f demo.yaml -o plan.json && statestore apply plan.json -m "bigger nodes"',
    'statestore apply -f clusters/demo/ --prune --yes',
  ],
  outputs: ['text', 'json'],
  options: {
    filename: { type: 'string', short: 'f', multiple: true, valueName: 'PATH', description: 'Manifest file or folder to plan and apply (- for stdin, or a store URL)' },
    prune: { type: 'boolean', description: 'With -f: delete instance groups and addon objects the manifests do not name (never the cluster)' },
    yes: { type: 'boolean', short: 'y', description: 'With -f: apply (without it, only the plan is shown)' },
    'lock-timeout': LOCK_TIMEOUT_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const inputs = repeatedOption(ctx.args, 'filename');
  const [planFile, ...extra] = ctx.args.positionals;
  if (extra.length > 0) throw new UsageError(`apply takes one plan file, not ${ctx.args.positionals.length}`);
  if (planFile && inputs.length > 0) throw new UsageError('give either a plan file or -f PATH..., not both');
  if (!planFile && inputs.length === 0) throw new UsageError('give the plan to apply (statestore apply PLAN), or manifests with -f PATH --yes');
  const message = stringOption(ctx.args, 'message');
  const options: ApplyOptions = { open: (url) => ctx.open(url), ...(message !== undefined ? { message } : {}) };
  try {
    return planFile ? await runPlanFile(ctx, planFile, options) : await runManifests(ctx, inputs, options);
  } catch (e) {
    if (!(e instanceof ApplyIncompleteError)) throw e;
    const resume = planFile ? `statestore apply ${planFile}` : `statestore apply ${inputs.map((f) => `-f ${f}`).join(' ')}${boolOption(ctx.args, 'prune') ? ' --prune' : ''} --yes`;
    if (ctx.output('text') === 'json') ctx.json({ ...e.report, complete: false, error: e.message, resume });
    else ctx.io.stderr.write(`statestore apply: ${e.message}\nResume with: ${resume}\n`);
    return EXIT_FAILURE;
  }
}

async function runPlanFile(ctx: CommandContext, file: string, options: ApplyOptions): Promise<number> {
  if (boolOption(ctx.args, 'prune')) throw new UsageError('--prune is decided when the plan is made (statestore plan --prune), not when it is applied');
  const plan = parsePlan(await readInputFile(ctx, file), file);
  const store = await ctx.open(plan.store);
  const state = stringOption(ctx.args, 'state');
  if (state !== undefined && (await ctx.open(state)).toString() !== store.toString()) {
    throw new UsageError(`the plan was made for the state store ${plan.store}, not ${state}; apply it to its own store, or make a new plan`);
  }
  return print(ctx, await applyPlan(store, plan, { ...options, withLease: (cluster, fn) => ctx.withClusterLease(cluster, fn, { store }) }));
}

async function runManifests(ctx: CommandContext, inputs: readonly string[], options: ApplyOptions): Promise<number> {
  const name = stringOption(ctx.args, 'name');
  const manifests = readManifests(await readManifestFiles(ctx, inputs), name ? { cluster: name } : {});
  const store = await ctx.openStore();
  const prune = boolOption(ctx.args, 'prune');
  if (!boolOption(ctx.args, 'yes')) {
    const plan = await planCluster(store, manifests, { prune, open: (url) => ctx.open(url) });
    if (ctx.output('text') === 'json') ctx.json({ plan, applied: false });
    else {
      ctx.out(renderPlan(ctx, plan, manifests));
      if (plan.changes.length > 0) ctx.log(0, 'Nothing was written. Run again with --yes to apply, or save the plan with `statestore plan -f ... -o plan.json` for review.');
    }
    return EXIT_OK;
  }
  const { plan, report } = await applyManifests(store, manifests, { ...options, prune, withLease: (cluster, fn) => ctx.withClusterLease(cluster, fn, { store }) });
  return print(ctx, report, plan);
}

function print(ctx: CommandContext, report: ApplyReport, plan?: ClusterPlan): number {
  if (ctx.output('text') === 'json') ctx.json({ ...report, complete: true });
  else {
    if (plan && plan.changes.length > 0) ctx.out(renderPlan(ctx, plan));
    ctx.out(renderApplyReport(ctx, report, { listWrites: !plan }));
  }
  return EXIT_OK;
}
