/**
 * `statestore cp [-r] SOURCE TARGET`: copies a file, or with -r every file below a folder, between any
 * two backends (server-side inside one service, streamed otherwise).
 */
import { runLimited, type VfsPath } from '@statestore/core';
import { boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { DRY_RUN_OPTION, isDryRun } from '../dry-run.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'cp',
  usage: 'cp [-r] [--dry-run] SOURCE TARGET',
  summary: 'Copy files, also from one backend to another.',
  description: 'A TARGET ending in / receives the file under its own name. With -r, SOURCE\'s files keep their paths below TARGET.',
  examples: [
    'statestore cp s3://old-state/demo.example.com/config ./config',
    'statestore cp -r s3://old-state/demo.example.com gs://new-state/demo.example.com',
    'statestore cp -r /tmp/review-state/demo.example.com s3://my-state/demo.example.com',
  ],
  outputs: ['text', 'json'],
  options: {
    recursive: { type: 'boolean', short: 'r', description: 'Copy every file below SOURCE' },
    'no-clobber': { type: 'boolean', short: 'n', description: 'Fail instead of replacing existing files' },
    'dry-run': DRY_RUN_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const [from, to, ...extra] = ctx.args.positionals;
  if (!from || !to || extra.length > 0) throw new UsageError('give exactly one SOURCE and one TARGET');
  const source = await ctx.open(from);
  const target = await ctx.open(to);
  const options = boolOption(ctx.args, 'no-clobber') ? { ifNoneMatch: '*' as const } : {};
  const dryRun = isDryRun(ctx.args);
  if (!dryRun) await ctx.warnIfNoAtomicCreate(target);
  const copied: { from: string; to: string; size: number }[] = [];
  const copy = async (file: VfsPath, dest: VfsPath) => {
    const size = dryRun ? (file.listed ?? (await file.stat())).size : (await file.copyTo(dest, options)).size;
    copied.push({ from: file.toString(), to: dest.toString(), size });
  };
  if (boolOption(ctx.args, 'recursive')) {
    const files = await source.readTree();
    if (files.length === 0) throw new Error(`nothing to copy: no files below ${source.toString()}`);
    await runLimited(files, 8, (file: VfsPath) => copy(file, target.join(file.relativeTo(source)!)));
  } else {
    await copy(source, to.endsWith('/') ? target.join(source.base()) : target);
  }
  copied.sort((a, b) => (a.to < b.to ? -1 : 1));
  if (ctx.output('text') === 'json') ctx.json(copied);
  else if (dryRun) ctx.out(`Dry run: would copy ${copied.length} file${copied.length === 1 ? '' : 's'} (nothing was written):\n${copied.map((c) => `  ${c.from} -> ${c.to}\n`).join('')}`);
  else {
    for (const c of copied) ctx.log(1, `${c.from} -> ${c.to}`);
    ctx.out(`Copied ${copied.length} file${copied.length === 1 ? '' : 's'} to ${target.toString()}.\n`);
  }
  return 0;
}
