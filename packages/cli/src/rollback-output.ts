/**
 * How `rollback` and `undelete` print a rollback plan (what --dry-run shows) and what was done, in text or JSON.
 */
import type { RollbackPlan, RollbackReport } from '@statestore/core';
import type { CommandContext } from './context.js';

const MARK = { create: '+', change: '~', delete: '-' } as const;

export function printRollback(ctx: CommandContext, what: string, plan: RollbackPlan, report?: RollbackReport): void {
  if (ctx.output('text') === 'json') {
    ctx.json({ ...plan, done: report !== undefined, ...(report ? { revision: report.revision, applied: report.applied } : {}) });
    return;
  }
  const target = `revision ${plan.to.id} (@-${plan.to.index} before this ${what})`;
  if (plan.changes.length === 0) {
    ctx.out(`Cluster ${plan.cluster} already holds ${target}: nothing to do.\n`);
    return;
  }
  const lines = plan.changes.map((c) => `  ${MARK[c.action]} ${c.path}`);
  if (!report) {
    ctx.out(`The ${what} of cluster ${plan.cluster} would bring back ${target}:\n${lines.join('\n')}\nNothing was written (--dry-run).\n`);
    return;
  }
  ctx.out(`Cluster ${plan.cluster} is back at ${target}, as new revision ${report.revision}:\n${lines.join('\n')}\n`);
}
