/**
 * `statestore edit instancegroup IG --name CLUSTER`: edit one instance group in $EDITOR, or apply
 * `--set`/`--unset`; validated against the cluster, written with compare-and-swap under the cluster's lease
 * (taken to save, never while the editor is open).
 */
import { assertValidInstanceGroup, setFields, splitSetFlag, splitUnsetFlag, unsetFields, type KopsInstanceGroup, type KopsYamlDocument } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, repeatedOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { openInstanceGroupTarget } from '../instance-group-target.js';
import { changedMeanwhile, editLoop } from '../edit-loop.js';

export const command: CommandSpec = {
  name: 'edit instancegroup',
  usage: 'edit instancegroup IG --name CLUSTER [--set PATH=VALUE] [--unset PATH]',
  summary: 'Edit an instance group in $EDITOR, or set and unset its fields.',
  examples: [
    'statestore edit instancegroup nodes-us-east-1a --name demo.example.com',
    'statestore edit ig nodes-us-east-1a --name demo.example.com --set spec.maxSize=10 --set spec.rollingUpdate.maxUnavailable=50%',
  ],
  options: {
    set: { type: 'string', multiple: true, valueName: 'PATH=VALUE', description: 'Set a field instead of opening the editor' },
    unset: { type: 'string', multiple: true, valueName: 'PATH', description: 'Unset a field instead of opening the editor' },
    'lock-timeout': LOCK_TIMEOUT_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const { igName, cluster, registry, clusterObject } = await openInstanceGroupTarget(ctx);
  const sets = repeatedOption(ctx.args, 'set').flatMap(splitSetFlag);
  const unsets = repeatedOption(ctx.args, 'unset').flatMap(splitUnsetFlag);
  if (sets.length > 0 || unsets.length > 0) {
    await ctx.withClusterLease(cluster, () =>
      registry.updateInstanceGroup(
        cluster,
        igName,
        (doc) => {
          unsetFields(doc, 'InstanceGroup', unsets);
          setFields(doc, 'InstanceGroup', sets);
        },
        { cluster: clusterObject },
      ),
    );
    ctx.out(`InstanceGroup ${igName} updated.\n`);
    return 0;
  }
  const stored = await registry.getInstanceGroup(cluster, igName);
  return editLoop(ctx, {
    kind: 'instance group',
    name: igName,
    original: stored.doc.toString(),
    check(doc) {
      const object = doc.toJS() as unknown as KopsInstanceGroup;
      if (object.metadata?.name !== igName) throw new Error(`metadata.name must stay ${igName}`);
      assertValidInstanceGroup(object, clusterObject, `InstanceGroup ${igName}`);
    },
    async save(doc: KopsYamlDocument, original: string) {
      await ctx.withClusterLease(cluster, () =>
        registry.updateInstanceGroup(
          cluster,
          igName,
          (current) => {
            if (current.toString() !== original) throw changedMeanwhile(stored.path.toString());
            return doc;
          },
          { cluster: clusterObject },
        ),
      );
    },
  });
}
