/**
 * `statestore create instancegroup IG --name CLUSTER --role ROLE`: a new instance group with the defaults
 * kops gives one (machine type and image for the cloud, sizes, subnets, node label), optionally edited
 * first in $EDITOR, written create-if-absent under the cluster's lease (taken after the editor closes) —
 * stored without the cluster label, as kops stores it.
 */
import { KopsYamlDocument, assertValidInstanceGroup, newInstanceGroup, withClusterLabel, type KopsInstanceGroup } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, boolOption, listOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { openInstanceGroupTarget } from '../instance-group-target.js';
import { editText } from '../editor.js';
import { UsageError } from '../errors.js';
import { jsonDocuments, yamlDocuments } from '../output.js';

export const command: CommandSpec = {
  name: 'create instancegroup',
  usage: 'create instancegroup IG --name CLUSTER [--role Node] [--subnet SUBNETS] [flags]',
  summary: 'Create an instance group.',
  description: 'Opens the new object in $EDITOR first when run at a terminal (--edit / --no-edit to choose).',
  examples: [
    'statestore create instancegroup gpu-nodes --name demo.example.com --role Node --subnet us-east-1a --machine-type g5.xlarge --no-edit',
    'statestore create ig bastions --name demo.example.com --role Bastion --subnet utility-us-east-1a --dry-run -o yaml',
  ],
  outputs: ['yaml', 'json'],
  options: {
    role: { type: 'string', valueName: 'ROLE', description: 'Node (default), Master/ControlPlane, Bastion or APIServer' },
    subnet: { type: 'string', multiple: true, valueName: 'SUBNETS', description: 'Subnets (default: every non-utility subnet)' },
    zones: { type: 'string', multiple: true, valueName: 'ZONES', description: 'Zones (required on GCE)' },
    'machine-type': { type: 'string', valueName: 'TYPE', description: 'Machine type (default: the cloud\'s)' },
    image: { type: 'string', valueName: 'IMAGE', description: 'Image (default: the stable channel\'s)' },
    edit: { type: 'boolean', description: 'Open in $EDITOR before saving (default when at a terminal)' },
    'no-edit': { type: 'boolean', description: 'Do not open an editor' },
    'dry-run': { type: 'boolean', description: 'Print the object (with -o) instead of writing it' },
    'lock-timeout': LOCK_TIMEOUT_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const { igName, cluster, registry, clusterObject } = await openInstanceGroupTarget(ctx);
  if (await registry.findInstanceGroup(cluster, igName)) throw new Error(`instance group ${JSON.stringify(igName)} already exists in cluster ${cluster}`);
  const ig = newInstanceGroup(clusterObject, {
    name: igName,
    role: stringOption(ctx.args, 'role') ?? 'Node',
    subnets: listOption(ctx.args, 'subnet'),
    zones: listOption(ctx.args, 'zones'),
    machineType: stringOption(ctx.args, 'machine-type'),
    image: stringOption(ctx.args, 'image'),
  });
  let doc = KopsYamlDocument.fromObject(ig);
  if (boolOption(ctx.args, 'dry-run')) {
    const output = stringOption(ctx.args, 'output');
    if (!output) throw new UsageError('must set output flag; yaml or json');
    // as kops prints it: not created yet, and labelled with its cluster
    const shown = withClusterLabel(doc.clone(), cluster);
    shown.setIn(['metadata', 'creationTimestamp'], null);
    ctx.out(output === 'json' ? jsonDocuments([shown.toJS()], true) : yamlDocuments([shown]));
    return 0;
  }
  const edit = boolOption(ctx.args, 'edit') || (ctx.io.interactive && !boolOption(ctx.args, 'no-edit'));
  if (edit) {
    const edited = editText(doc.toString(), ctx.env, igName);
    if (edited.trim() === '') {
      ctx.log(0, 'Cancelled: the file was empty; nothing saved.');
      return 0;
    }
    doc = KopsYamlDocument.parse(edited, `the edited instance group ${igName}`);
    assertValidInstanceGroup(doc.toJS() as unknown as KopsInstanceGroup, clusterObject, `InstanceGroup ${igName}`);
  }
  await ctx.withClusterLease(cluster, () => registry.createInstanceGroup(cluster, doc));
  if (ctx.output('text') === 'json') ctx.json(doc.toJS());
  else if (ctx.output('text') === 'yaml') ctx.out(doc.toString());
  else ctx.out(`Created instance group ${igName} in cluster ${cluster}.\n`);
  return 0;
}
