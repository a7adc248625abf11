/**
 * `statestore ls [URL] [-R] [-l]`: the files and folders under a URL (default: the state store root).
 */
import type { VfsPath } from '@statestore/core';
import { boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { table } from '../output.js';

export const command: CommandSpec = {
  name: 'ls',
  usage: 'ls [URL] [-R] [-l]',
  summary: 'List files under a URL (default: the state store).',
  examples: ['statestore ls', 'statestore ls -R s3://my-state/demo.example.com', 'statestore ls -l gs://my-state -o json'],
  outputs: ['text', 'json'],
  options: {
    recursive: { type: 'boolean', short: 'R', description: 'Every file below, as paths relative to URL' },
    long: { type: 'boolean', short: 'l', description: 'Size and modification time' },
  },
  run,
};

interface Entry {
  name: string;
  url: string;
  directory: boolean;
  size?: number;
  modified?: string;
}

async function run(ctx: CommandContext): Promise<number> {
  if (ctx.args.positionals.length > 1) throw new UsageError('give at most one URL');
  const root = ctx.args.positionals[0] ? await ctx.open(ctx.args.positionals[0]) : await ctx.openStore();
  const entries: Entry[] = [];
  if (boolOption(ctx.args, 'recursive')) {
    for await (const p of root.walk()) entries.push(fileEntry(p.relativeTo(root) ?? p.key, p));
  } else {
    for (const e of await root.readDir()) entries.push(e.isDirectory ? { name: `${e.name}/`, url: e.path.toString(), directory: true } : fileEntry(e.name, e.path));
  }
  if (ctx.output('text') === 'json') {
    ctx.json(entries);
    return 0;
  }
  if (boolOption(ctx.args, 'long')) {
    if (entries.length > 0) ctx.out(table(['SIZE', 'MODIFIED', 'NAME'], entries.map((e) => [e.directory ? '-' : String(e.size ?? ''), e.modified ?? '', e.name])));
  } else {
    for (const e of entries) ctx.out(`${e.name}\n`);
  }
  return 0;
}

function fileEntry(name: string, p: VfsPath): Entry {
  return { name, url: p.toString(), directory: false, size: p.listed?.size, modified: p.listed?.modified?.toISOString() };
}
