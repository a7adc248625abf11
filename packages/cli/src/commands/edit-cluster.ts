/**
 * `statestore edit cluster NAME`: edit the stored config in $EDITOR (kubectl-style: invalid results
 * re-open with the errors), or apply `--set`/`--unset` without an editor. The write is a
 * compare-and-swap under the cluster's lease (taken to save, never while the editor is open): if the file
 * changed during the edit, nothing is saved.
 */
import { assertValidCluster, setFields, splitSetFlag, splitUnsetFlag, unsetFields, type KopsCluster, type KopsYamlDocument } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, repeatedOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { changedMeanwhile, editLoop } from '../edit-loop.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'edit cluster',
  usage: 'edit cluster NAME [--set PATH=VALUE] [--unset PATH]',
  summary: 'Edit a cluster in $EDITOR, or set and unset fields by kops field path.',
  description: 'The editor is $KUBE_EDITOR, else $EDITOR, else vi. Comments in the stored file are kept.',
  examples: [
    'statestore edit cluster demo.example.com',
    'EDITOR="code --wait" statestore edit cluster demo.example.com',
    'statestore edit cluster demo.example.com --set spec.kubernetesVersion=1.35.2 --unset spec.kubelet.maxPods',
  ],
  options: {
    set: { type: 'string', multiple: true, valueName: 'PATH=VALUE', description: 'Set a field instead of opening the editor' },
    unset: { type: 'string', multiple: true, valueName: 'PATH', description: 'Unset a field instead of opening the editor' },
    'lock-timeout': LOCK_TIMEOUT_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const name = ctx.onlyClusterName();
  const registry = await ctx.clusters();
  const sets = repeatedOption(ctx.args, 'set').flatMap(splitSetFlag);
  const unsets = repeatedOption(ctx.args, 'unset').flatMap(splitUnsetFlag);
  const igs = (await registry.listInstanceGroups(name)).map((g) => g.instanceGroup);
  if (sets.length > 0 || unsets.length > 0) {
    await ctx.withClusterLease(name, () =>
      registry.updateCluster(
        name,
        (doc) => {
          unsetFields(doc, 'Cluster', unsets);
          setFields(doc, 'Cluster', sets);
        },
        { instanceGroups: igs },
      ),
    );
    ctx.out(`Cluster ${name} updated.\n`);
    return 0;
  }
  const stored = await registry.getCluster(name);
  return editLoop(ctx, {
    kind: 'cluster',
    name,
    original: stored.doc.toString(),
    check(doc) {
      const object = doc.toJS() as unknown as KopsCluster;
      if (object.kind !== 'Cluster') throw new Error(`kind must stay Cluster (found ${String(object.kind)})`);
      if (object.metadata?.name !== name) throw new Error(`metadata.name must stay ${name}: a cluster cannot be renamed`);
      assertValidCluster({ ...object, spec: { ...object.spec, configBase: object.spec?.configBase || stored.cluster.spec.configBase } }, igs, {
        previous: stored.cluster,
        source: `Cluster ${name}`,
      });
    },
    async save(doc: KopsYamlDocument, original: string) {
      await ctx.withClusterLease(name, () =>
        registry.updateCluster(
          name,
          (current) => {
            if (current.toString() !== original) throw changedMeanwhile(stored.path.toString());
            return doc;
          },
          { instanceGroups: igs },
        ),
      );
    },
  });
}
