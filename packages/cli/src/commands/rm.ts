/**
 * `statestore rm [-r] URL --yes`: removes a file, or with -r everything below a folder. Asks first
 * unless --yes; without a terminal and without --yes it refuses (exit 2).
 */
import { createInterface } from 'node:readline/promises';
import { boolOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { DRY_RUN_OPTION, isDryRun } from '../dry-run.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'rm',
  usage: 'rm [-r] URL... [--yes] [--dry-run]',
  summary: 'Remove files.',
  examples: ['statestore rm s3://my-state/demo.example.com/notes.txt --yes', 'statestore rm -r file:///tmp/review-state/old.example.com'],
  outputs: ['text', 'json'],
  options: {
    recursive: { type: 'boolean', short: 'r', description: 'Remove everything below URL' },
    yes: { type: 'boolean', short: 'y', description: 'Do not ask' },
    'dry-run': DRY_RUN_OPTION,
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  if (ctx.args.positionals.length === 0) throw new UsageError('give the URL(s) to remove');
  const recursive = boolOption(ctx.args, 'recursive');
  const paths = await Promise.all(ctx.args.positionals.map((u) => ctx.open(u)));
  const plan: { url: string; files: number }[] = [];
  for (const p of paths) {
    const files = recursive ? (await p.readTree()).length + ((await p.exists()) ? 1 : 0) : (await p.exists()) ? 1 : 0;
    if (files === 0) throw new Error(recursive ? `nothing to remove: no files at or below ${p.toString()}` : `no such file: ${p.toString()} (use -r for a folder)`);
    plan.push({ url: p.toString(), files });
  }
  if (isDryRun(ctx.args)) {
    if (ctx.output('text') === 'json') ctx.json({ removed: 0, urls: plan.map((p) => p.url), dryRun: true, wouldRemove: plan.reduce((n, p) => n + p.files, 0) });
    else ctx.out(`Dry run: would remove ${describe(plan)}. Nothing was removed.\n`);
    return 0;
  }
  if (!boolOption(ctx.args, 'yes')) {
    if (!ctx.io.interactive) throw new UsageError(`refusing to remove ${describe(plan)} without --yes (no terminal to ask)`);
    const rl = createInterface({ input: ctx.io.stdin, output: process.stderr });
    const answer = await rl.question(`Remove ${describe(plan)}? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      ctx.log(0, 'Nothing removed.');
      return 1;
    }
  }
  let removed = 0;
  for (const p of paths) {
    if (recursive) removed += await p.removeAll();
    else {
      await p.remove();
      removed++;
    }
  }
  if (ctx.output('text') === 'json') ctx.json({ removed, urls: plan.map((p) => p.url) });
  else ctx.out(`Removed ${removed} file${removed === 1 ? '' : 's'}.\n`);
  return 0;
}

function describe(plan: { url: string; files: number }[]): string {
  return plan.map((p) => `${p.url} (${p.files} file${p.files === 1 ? '' : 's'})`).join(', ');
}
