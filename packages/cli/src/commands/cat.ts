/**
 * `statestore cat URL...`: writes files to stdout, byte for byte, streamed (a 1 GiB object passes through in
 * bounded memory, at the pace the reader takes it).
 */
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { copyToOutput } from '../io.js';

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
  for (const url of ctx.args.positionals) await copyToOutput(ctx.io.stdout, await (await ctx.open(url)).readStream());
  return 0;
}
