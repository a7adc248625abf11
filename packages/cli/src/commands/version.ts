/**
 * `statestore version`: the CLI's and core's versions (`statestore --version` prints the CLI's alone).
 */
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { cliVersion, coreVersion } from '../versions.js';

export const command: CommandSpec = {
  name: 'version',
  usage: 'version [-o json]',
  summary: 'Print the versions of the CLI and of @statestore/core.',
  examples: ['statestore version', 'statestore --version', 'statestore version -o json'],
  outputs: ['text', 'json'],
  options: {},
  run: async (ctx: CommandContext) => {
    const v = { statestore: cliVersion(), core: coreVersion(), node: process.versions.node };
    if (ctx.output('text') === 'json') ctx.json(v);
    else ctx.out(`statestore ${v.statestore} (@statestore/core ${v.core}, node ${v.node})\n`);
    return 0;
  },
};
