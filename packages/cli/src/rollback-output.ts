/**
 * How `rollback` and `undelete` print a rollback plan (what --dry-run shows) and what was done, in text or JSON.
 */
import type { RollbackPlan, RollbackReport } from '@statestore/core/config';
import type { CommandContext } from './context.js';

const MARK = { create: '+', change: '~', delete: '-' } as const;

export function printRollback(ctx: CommandContext, plan: RollbackPlan, report?: RollbackReport): void {
  if (ctx.output('text') === 'json') {
    ctx.json({ ...plan, done: report !== undefined, ...(report ? { revision: report.revision, applied: report.applied } : {}) });
    return;
  }
  const revision = plan.to.index >= 0 ? `revision ${plan.to.id} (@-${plan.to.index})` : 'a deletion made outside Statestore';
  const what = plan.kind === 'rollback' ? `${plan.cluster} as it was at ${revision}` : `the files of ${plan.cluster} that ${revision} deleted`;
  if (plan.changes.length === 0) {
    ctx.out(`Cluster ${plan.cluster} already holds ${revision}: nothing to do.\n`);
    return;
  }
  const lines = plan.changes.map((c) => `  ${MARK[c.action]} ${c.path}`).join('\n');
  if (!report) ctx.out(`Would bring back ${what}:\n${lines}\nNothing was written (--dry-run).\n`);
  else ctx.out(`Brought back ${what}, as revision ${report.revision}:\n${lines}\n`);
}
