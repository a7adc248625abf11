/**
 * `statestore diff A B`: files added, removed and changed between two folders (stores, clusters, review
 * copies), with a field-level YAML diff for changed Cluster/InstanceGroup objects. Exit 0 when equal,
 * 1 when they differ, 2 on trouble (as diff(1)). A thin adapter to core's `diffStores`.
 */
import { diffStores, type StoreDiff } from '@statestore/core/sync';
import { repeatedOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.js';
import { fieldLine } from '../field-lines.js';
import { concurrencyFlags, syncFlags } from './sync.js';

const { checkers, exclude } = syncFlags();

/** As diff(1): trouble is 2, like a usage error. */
const EXIT_TROUBLE = EXIT_USAGE;

export const command: CommandSpec = {
  name: 'diff',
  usage: 'diff A B [--exclude PREFIX]... [-o text|json]',
  summary: 'Show what differs between two folders, with a YAML-aware diff of cluster objects.',
  description: [
    'Lists files only in A (-), only in B (+) and in both but different (~), compared like sync (size, then',
    'hash). For a changed Cluster or InstanceGroup, prints the fields that changed. Other files (keysets,',
    'secrets) are never shown by value.',
  ].join('\n'),
  exitCodes: '0 equal, 1 different, 2 trouble (a usage error, a store that cannot be read), as diff(1)',
  failureExitCode: EXIT_TROUBLE,
  examples: ['statestore diff s3://state/demo.example.com file:///tmp/review/demo.example.com', 'statestore diff s3://state gs://state-copy --exclude backups/ -o json'],
  outputs: ['text', 'json'],
  options: { exclude: exclude!, checkers: checkers! },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const [a, b, ...extra] = ctx.args.positionals;
  if (!a || !b || extra.length > 0) throw new UsageError('diff takes two arguments: A and B (URLs or local paths)');
  const excludes = repeatedOption(ctx.args, 'exclude');
  const { checkers: checkerCount } = concurrencyFlags(ctx.args);
  const diff = await diffStores(await ctx.open(a), await ctx.open(b), {
    ...(checkerCount ? { checkers: checkerCount } : {}),
    ...(excludes.length > 0 ? { filter: (key: string) => !excludes.some((p) => key.startsWith(p)) } : {}),
  });
  if (ctx.output('text') === 'json') ctx.json(diff);
  else ctx.out(renderDiff(ctx, diff));
  return diff.added.length + diff.removed.length + diff.changed.length > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** The text form: one line per file, indented field changes, a closing count. */
export function renderDiff(ctx: CommandContext, diff: StoreDiff): string {
  const lines = [`--- ${diff.a}`, `+++ ${diff.b}`];
  const rows: [string, string][] = [
    ...diff.removed.map((k) => [k, ctx.paint('31', `- ${k}`)] as [string, string]),
    ...diff.added.map((k) => [k, ctx.paint('32', `+ ${k}`)] as [string, string]),
  ];
  for (const c of diff.changed) {
    const block = [ctx.paint('33', `~ ${c.key}`)];
    for (const o of c.objects ?? []) {
      if (o.kind !== 'changed') block.push(`    ${o.kind === 'added' ? '+' : '-'} ${o.object}`);
      else for (const f of o.changes) block.push(`    ${fieldLine(f)}${c.objects!.length > 1 ? `   (${o.object})` : ''}`);
    }
    rows.push([c.key, block.join('\n')]);
  }
  rows.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  lines.push(...rows.map(([, text]) => text));
  lines.push(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`);
  return `${lines.join('\n')}\n`;
}
