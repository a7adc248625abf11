/**
 * `statestore history CLUSTER [--file PATH] [--limit N] [--from REV] [-o text|json]`: the cluster's revisions,
 * newest first — each Statestore command that changed it (who, when, the command line, its message, the files),
 * changes made outside Statestore, and changes whose writer stopped before recording them (unconfirmed). Changes
 * not recorded yet are shown first; the next Statestore write records them. Reads only. A thin adapter to core's
 * `readHistory`.
 */
import { describeAuthor, readHistory, type HistoryView, type Revision } from '@statestore/core';
import { intOption, stringOption, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'history',
  usage: 'history CLUSTER [--file PATH] [--limit N] [--from REV] [-o text|json]',
  summary: "List a cluster's revisions: who changed what, when and why.",
  description: [
    'Every Statestore command that changes a cluster is one revision, journaled in the store under .statestore/history/',
    '(on every backend; STATESTORE_HISTORY=off turns this off for every writer of the store). Changes made by kops or',
    'another tool show as "outside Statestore" when first seen. A revision is named by the id printed here (or its',
    'first digits) or by @-N, N revisions back; use it with get cluster NAME@REV, history diff and rollback --to.',
  ].join('\n'),
  examples: [
    'statestore history demo.example.com',
    'statestore history demo.example.com --file instancegroup/nodes-us-east-1a',
    'statestore history demo.example.com --limit 50 --from @-20 -o json',
  ],
  outputs: ['text', 'json'],
  options: {
    file: { type: 'string', valueName: 'PATH', description: 'Only revisions that changed this file (relative to the cluster folder, e.g. config or instancegroup/nodes)' },
    limit: { type: 'string', valueName: 'N', description: 'At most N revisions (default 20; 0 for all)' },
    from: { type: 'string', valueName: 'REV', description: 'Start at this revision (the next page: what the previous one printed)' },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const cluster = ctx.onlyClusterName();
  const limit = intOption(ctx.args, 'limit');
  const file = stringOption(ctx.args, 'file');
  const from = stringOption(ctx.args, 'from');
  const view = await readHistory(await ctx.openStore(), cluster, {
    ...(await ctx.historyLocation()),
    ...(file !== undefined ? { file: file.replace(/^\/+/, '') } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(from !== undefined ? { from } : {}),
  });
  if (ctx.output('text') === 'json') ctx.json(view);
  else ctx.out(render(ctx, view));
  return 0;
}

const MARK = { added: '+', changed: '~', removed: '-' } as const;

function render(ctx: CommandContext, view: HistoryView): string {
  const lines = [`History of cluster ${view.cluster} in ${view.store}${view.mode === 'off' ? ' (history is off in this store: STATESTORE_HISTORY=on turns it on again)' : ''}`];
  for (const r of view.unrecorded) lines.push('', ...block(ctx, r));
  for (const r of view.revisions) lines.push('', ...block(ctx, r));
  if (view.unrecorded.length + view.revisions.length === 0) lines.push('', 'No revisions recorded.');
  if (view.native && !view.native.read) lines.push('', `Versions kept by the service were not read: ${view.native.reason}`);
  if (view.next) lines.push('', `More: statestore history ${view.cluster} --from ${view.next}`);
  return `${lines.join('\n')}\n`;
}

function block(ctx: CommandContext, r: Revision): string[] {
  const heading =
    r.index === undefined && r.native
      ? `outside Statestore, kept by the service only (version ${r.id}; not a REV: the journal has no copy)`
      : r.index === undefined
      ? `not recorded yet${r.kind === 'unconfirmed' ? `: revision ${r.id}, unconfirmed (its command stopped before recording it; the change is in the store)` : ': outside Statestore'}`
      : `revision ${r.id} (@-${r.index})${r.kind === 'outside' ? ' outside Statestore' : r.kind === 'unconfirmed' ? ' unconfirmed (its command stopped before recording it; the change is in the store)' : ''}`;
  const a = r.attribution;
  const who = describeAuthor(a);
  // The actor or email names who; the OS user and host say from where.
  const machine = a?.actor || a?.email ? [a.user, a.host].filter(Boolean).join(' on ') : '';
  const details = [
    `Date:    ${r.time}${r.native && r.entries.length === 0 ? ' (stored by the service)' : ''}`,
    ...(who ? [`Author:  ${who}${machine ? ` (${machine})` : ''}`] : []),
    ...(a?.command ? [`Command: ${a.command}`] : []),
    ...(a?.message ? [`Message: ${a.message}`] : []),
  ];
  return [ctx.paint('33', heading), ...details, ...r.files.map((f) => `    ${MARK[f.change]} ${f.path}`)];
}
