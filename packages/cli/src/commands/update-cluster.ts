/**
 * `statestore update cluster NAME [--yes]`: the review before kops builds a cluster. Without --yes it
 * validates the cluster and its instance groups as kops does and shows what the configuration changes
 * since the last completed spec (`cluster-completed.spec`, which only kops writes: computing it needs
 * kops's channels, assets and cloud APIs). With --yes it hands over to `kops update cluster --yes` on the
 * same state store when a kops binary is on PATH, and otherwise refuses, printing the kops command.
 * Against a local review copy the completed spec is read from the copy, never from the production
 * configBase. --yes is refused on stores nodes cannot read (a local disk, k8s://). Statestore itself writes
 * nothing here.
 */
import { isNotFound, safeForMessage, type VfsPath } from '@statestore/core';
import { KopsYamlDocument, PATH_COMPLETED_SPEC, assertValidCluster, completeStoreSpec, defaultConfigBase, configBaseFolder, isWrittenByStatestore, stringifyKopsObject, unreadableByNodes, type KopsCluster } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { findKops, runKops, shellQuote } from '../kops-binary.js';
import { unifiedDiff } from '../text-diff.js';

export const command: CommandSpec = {
  name: 'update cluster',
  usage: 'update cluster NAME [--yes]',
  summary: 'Review a cluster before kops builds it; with --yes, run kops update cluster --yes.',
  description: [
    'Without --yes: validates the cluster and its instance groups (kops\'s rules) and prints the fields of the configuration',
    'that differ from the last cluster-completed.spec (all of them when kops has not run yet). Nothing is written.',
    'With --yes: runs `kops update cluster --name NAME --yes --state STORE` when kops is on PATH and exits with its',
    'exit code, holding the cluster\'s lease while kops runs; without kops it refuses and prints that command. Statestore',
    'never writes cluster-completed.spec: only kops can compute it. --yes is refused on a local store (file:// or a path)',
    'and on k8s://: cluster nodes read configBase, and can read neither your disk nor Kubernetes Secrets.',
  ].join('\n'),
  exitCodes: "0 ok, 1 failure, 2 usage; with --yes, once kops runs, kops's own exit code",
  examples: ['statestore update cluster demo.example.com', 'statestore update cluster demo.example.com --yes --state s3://my-state', 'statestore update cluster demo.example.com -o json'],
  outputs: ['text', 'json'],
  options: { yes: { type: 'boolean', short: 'y', description: 'Run kops update cluster --yes' }, 'lock-timeout': LOCK_TIMEOUT_OPTION },
  run,
};

/** The last completed spec's values at the paths the configuration sets (lists compared whole). */
function projectOnto(shape: unknown, source: unknown): unknown {
  if (shape && typeof shape === 'object' && !Array.isArray(shape) && source && typeof source === 'object' && !Array.isArray(source)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      if (key in source) out[key] = projectOnto((shape as Record<string, unknown>)[key], (source as Record<string, unknown>)[key]);
    }
    return out;
  }
  return source;
}

async function run(ctx: CommandContext): Promise<number> {
  const name = ctx.onlyClusterName();
  const location = ctx.stateStore();
  const registry = await ctx.clusters();
  const stored = await registry.getCluster(name);
  const igs = (await registry.listInstanceGroups(name)).map((g) => g.instanceGroup);
  assertValidCluster(stored.cluster, igs, { source: `Cluster ${name}` });
  await registry.checkVaultStores({ name, spec: stored.cluster.spec });
  const json = ctx.output('text') === 'json';

  if (boolOption(ctx.args, 'yes')) return applyWithKops(ctx, name, location.url, stored.cluster.spec.configBase ?? defaultConfigBase(registry.store, name), json);

  const current = completeStoreSpec(stored.cluster, defaultConfigBase(registry.store, name));
  const base = await configBaseFolder(registry.store, name, current.spec.configBase!, (url) => ctx.open(url));
  if (base.copyOf) ctx.log(0, `Reading ${PATH_COMPLETED_SPEC} from this local copy (${base.folder.toString()}), not from configBase ${base.copyOf}: the review does not touch production.`);
  const target = base.folder.join(PATH_COMPLETED_SPEC);
  const completedText = await readOptional(target);
  const last = completedText === undefined ? undefined : (KopsYamlDocument.parse(completedText, target.toString()).toJS() as unknown as KopsCluster);
  // the spec only: metadata (generation, timestamps) is bookkeeping, not something kops applies
  const diff = unifiedDiff(last === undefined ? '' : stringifyKopsObject({ spec: projectOnto(current.spec, last.spec) }), stringifyKopsObject({ spec: current.spec }), {
    from: last === undefined ? '/dev/null' : `${target.toString()} (the fields the configuration sets)`,
    to: `${stored.path.toString()} (completed store fields)`,
  });
  const writtenBy = completedText === undefined ? null : isWrittenByStatestore(completedText) ? 'statestore' : 'kops';
  if (json) {
    ctx.json({ cluster: name, completedSpec: target.toString(), exists: completedText !== undefined, writtenBy, changed: diff !== '', diff, kopsCommand: kopsCommand(name, location.url) });
    return 0;
  }
  ctx.out(diff);
  if (writtenBy === 'statestore') ctx.warn(`${target.toString()} was written by an earlier Statestore and holds store fields only; \`kops update cluster --yes\` replaces it with the full spec.`);
  const unreadable = unreadableByNodes(location.url, { cwd: ctx.io.cwd });
  const next = unreadable
    ? `--yes is refused on ${unreadable.kind}: move the cluster to a bucket first (statestore migrate ${name} --to s3://BUCKET)`
    : `runs: ${kopsCommand(name, location.url)}`;
  ctx.log(0, diff === '' ? 'No changes need to be applied.' : `Must specify --yes to apply changes (${next}).`);
  return 0;
}

/** What the user (or --yes) runs: kops on the same state store. */
function kopsCommand(name: string, stateUrl: string): string {
  return ['kops', 'update', 'cluster', '--name', name, '--yes', '--state', safeForMessage(stateUrl)].map(shellQuote).join(' ');
}

/**
 * `--yes`: hands the cluster to kops, holding the cluster's lease around the kops run (released when kops
 * exits): this is the one place a Statestore command lets kops write. The lease is outside what kops reads.
 */
async function applyWithKops(ctx: CommandContext, name: string, stateUrl: string, configBase: string, json: boolean): Promise<number> {
  for (const url of [stateUrl, configBase]) {
    const unreadable = unreadableByNodes(url, { cwd: ctx.io.cwd });
    if (unreadable === undefined) continue;
    throw new Error(
      `update cluster --yes is refused for ${unreadable.kind} (${safeForMessage(url)}): ${unreadable.reason}. ` +
        `Such a store is for review workflows (edit, replace, update without --yes, diff). To apply, move the cluster to a bucket with \`statestore migrate ${name} --state ${safeForMessage(stateUrl)} --to s3://BUCKET\` (it rewrites configBase), then run update --yes with --state s3://BUCKET.`,
    );
  }
  const command = kopsCommand(name, stateUrl);
  const kops = await findKops(ctx.env);
  if (!kops) {
    throw new Error(
      `kops is not on PATH: Statestore does not build clusters itself (the completed spec needs kops's channels, assets and cloud APIs). Install kops and run: ${command}`,
    );
  }
  ctx.log(0, `Running ${command.replace(/^kops/, kops)}`);
  const code = await ctx.withClusterLease(name, () =>
    runKops(kops, ['update', 'cluster', '--name', name, '--yes', '--state', stateUrl], {
      env: ctx.env,
      cwd: ctx.io.cwd,
      stdout: json ? ctx.io.stderr : ctx.io.stdout,
      stderr: ctx.io.stderr,
    }),
  );
  if (json) ctx.json({ cluster: name, kops, command, exitCode: code });
  return code;
}

async function readOptional(path: VfsPath): Promise<string | undefined> {
  try {
    return await path.readText();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
