/**
 * `statestore stat URL...`: size, version token, modification time and hash of files.
 */
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'stat',
  usage: 'stat URL...',
  summary: "Show a file's size, version, modification time and hash.",
  examples: ['statestore stat s3://my-state/demo.example.com/config', 'statestore stat /tmp/state/demo.example.com/config -o json'],
  outputs: ['text', 'json'],
  options: {},
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  if (ctx.args.positionals.length === 0) throw new UsageError('give the URL of a file');
  const out = [];
  for (const url of ctx.args.positionals) {
    const p = await ctx.open(url);
    const s = await p.stat();
    out.push({ url: p.toString(), size: s.size, version: s.version, modified: s.modified?.toISOString() ?? null, hash: s.hash ?? `sha256:${await p.hash('sha256')}` });
  }
  if (ctx.output('text') === 'json') ctx.json(ctx.args.positionals.length === 1 ? out[0] : out);
  else for (const s of out) ctx.out(`${s.url}\n  size:     ${s.size}\n  version:  ${s.version}\n  modified: ${s.modified ?? '-'}\n  hash:     ${s.hash}\n`);
  return 0;
}
