/**
 * `statestore update cluster NAME [--yes]`: validates the cluster and its instance groups and computes
 * the store-related part of the completed spec (configBase, keyStore, secretStore, etcd backup stores).
 * Without --yes: the diff against the stored cluster-completed.spec (exit 0). With --yes: writes it,
 * except on a store nodes cannot read (a local disk, k8s://), and never over a completed spec kops wrote.
 * kops-version.txt is left alone.
 */
import {
  ClusterRegistry,
  KopsYamlDocument,
  PATH_COMPLETED_SPEC,
  assertValidCluster,
  completeStoreSpec,
  completedSpecText,
  defaultConfigBase,
  isNotFound,
  isWrittenByStatestore,
  joinStorePath,
  stringifyKopsObject,
  unreadableByNodes,
  type KopsCluster,
  type VfsPath,
} from '@statestore/core';
import { boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { unifiedDiff } from '../text-diff.js';

export const command: CommandSpec = {
  name: 'update cluster',
  usage: 'update cluster NAME [--yes]',
  summary: 'Validate a cluster and show (or write) the store fields of its completed spec.',
  description: [
    'Without --yes, prints the diff between the stored cluster-completed.spec and what Statestore computes; nothing is written.',
    'With --yes, writes cluster-completed.spec (marked as written by Statestore) when none exists or the existing one was',
    'written by Statestore. A completed spec written by kops is never replaced (a live cluster reads it): run kops update.',
    '--yes is refused on a local store (file:// or a path) and on k8s://: cluster nodes read configBase, and can read',
    'neither your disk nor Kubernetes Secrets.',
  ].join('\n'),
  examples: ['statestore update cluster demo.example.com', 'statestore update cluster demo.example.com --yes --state s3://my-state', 'statestore update cluster demo.example.com -o json'],
  outputs: ['text', 'json'],
  options: { yes: { type: 'boolean', short: 'y', description: 'Write cluster-completed.spec' } },
  run,
};

/** The fields Statestore computes, for comparing with a completed spec kops wrote. */
function storeFields(cluster: KopsCluster): Record<string, unknown> {
  const s = cluster.spec ?? {};
  return {
    spec: {
      configBase: s.configBase,
      keyStore: s.keyStore,
      secretStore: s.secretStore,
      etcdClusters: (s.etcdClusters ?? []).map((e) => ({ name: e.name, backups: { backupStore: e.backups?.backupStore } })),
    },
  };
}

async function run(ctx: CommandContext): Promise<number> {
  const [positional, ...extra] = ctx.args.positionals;
  if (extra.length > 0) throw new UsageError(`expected one cluster name, got ${ctx.args.positionals.join(' ')}`);
  const name = ctx.clusterName(positional);
  const location = ctx.stateStore();
  const store = await ctx.openStore();
  const registry = new ClusterRegistry(store);
  const stored = await registry.getCluster(name);
  const igs = (await registry.listInstanceGroups(name)).map((g) => g.instanceGroup);
  assertValidCluster(stored.cluster, igs, `Cluster ${name}`);
  await registry.checkVaultStores({ name, spec: stored.cluster.spec });
  const completed = completeStoreSpec(stored.cluster, defaultConfigBase(store, name));
  const target = await ctx.open(joinStorePath(completed.spec.configBase!, PATH_COMPLETED_SPEC));
  const next = completedSpecText(completed);
  const current = await readOptional(target);
  const kopsWritten = current !== undefined && !isWrittenByStatestore(current);
  const json = ctx.output('text') === 'json';

  const diff = kopsWritten
    ? unifiedDiff(stringifyKopsObject(storeFields(KopsYamlDocument.parse(current, target.toString()).toJS() as unknown as KopsCluster)), stringifyKopsObject(storeFields(completed)), {
        from: `${target.toString()} (store fields, written by kops)`,
        to: 'computed (store fields)',
      })
    : unifiedDiff(current ?? '', next, { from: current === undefined ? '/dev/null' : target.toString(), to: 'computed' });

  if (!boolOption(ctx.args, 'yes')) {
    if (json) ctx.json({ cluster: name, completedSpec: target.toString(), exists: current !== undefined, writtenBy: current === undefined ? null : kopsWritten ? 'kops' : 'statestore', changed: diff !== '', diff, written: false });
    else {
      ctx.out(diff);
      ctx.log(0, diff === '' ? 'No changes need to be applied.' : 'Must specify --yes to apply changes.');
    }
    return 0;
  }

  for (const url of [location.url, completed.spec.configBase!]) {
    const unreadable = unreadableByNodes(url, { cwd: ctx.io.cwd });
    if (unreadable === undefined) continue;
    throw new Error(
      `update cluster --yes is refused for ${unreadable.kind} (${url}): ${unreadable.reason}. ` +
        'Such a store is for review workflows (edit, replace, update without --yes, diff); copy the cluster to a bucket (statestore migrate --to s3://…) and point --state there to apply.',
    );
  }
  if (kopsWritten) {
    ctx.out(diff);
    throw new Error(
      `${target.toString()} was written by kops; Statestore never replaces it, because a running cluster reads it. Run \`kops update cluster ${name} --yes\` to apply changes.`,
    );
  }
  if (diff === '') {
    if (json) ctx.json({ cluster: name, completedSpec: target.toString(), changed: false, written: false });
    else ctx.out(`${target.toString()} is up to date.\n`);
    return 0;
  }
  ctx.warnIfNoAtomicCreate(target);
  await target.updateFile((bytes) => {
    const now = bytes === undefined ? undefined : new TextDecoder().decode(bytes);
    if (now !== undefined && !isWrittenByStatestore(now)) throw new Error(`${target.toString()} was just written by kops; not replacing it.`);
    return next;
  });
  if (json) ctx.json({ cluster: name, completedSpec: target.toString(), changed: true, written: true, diff });
  else {
    ctx.out(diff);
    ctx.out(`Wrote ${target.toString()} (store fields; kops-version.txt left alone).\n`);
  }
  return 0;
}

async function readOptional(path: VfsPath): Promise<string | undefined> {
  try {
    return await path.readText();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
