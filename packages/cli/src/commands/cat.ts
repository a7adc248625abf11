/**
 * `statestore cat URL...`: writes files to stdout, byte for byte.
 */
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'cat',
  usage: 'cat URL...',
  summary: 'Print files.',
  examples: ['statestore cat s3://my-state/demo.example.com/config', 'statestore cat /tmp/state/demo.example.com/instancegroup/nodes-us-east-1a'],
  options: {},
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  if (ctx.args.positionals.length === 0) throw new UsageError('give the URL of a file');
  for (const url of ctx.args.positionals) ctx.io.stdout.write(await (await ctx.open(url)).readFile());
  return 0;
}
