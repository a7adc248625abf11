/**
 * A plan and an apply report as text, for `plan` and `apply`: one line per object (`+` create, `~` change,
 * `-` delete), the fields that change indented under it, and a closing count.
 */
import { planSummary, type ApplyReport, type ClusterManifests, type ClusterPlan, type PlannedChange, type WriteOutcome } from '@statestore/core/config';
import type { CommandContext } from './context.js';
import { fieldLine } from './field-lines.js';

const SIGN = { create: '+', change: '~', delete: '-' } as const;
const COLOUR = { create: '32', change: '33', delete: '31' } as const;

function changeLines(ctx: CommandContext, c: PlannedChange): string[] {
  const lines = [ctx.paint(COLOUR[c.action], `  ${SIGN[c.action]} ${c.object}`)];
  for (const f of c.fields) lines.push(`      ${fieldLine(f)}`);
  for (const o of c.objects ?? []) {
    lines.push(`      ${o.kind === 'added' ? '+' : o.kind === 'removed' ? '-' : '~'} ${o.object}`);
    for (const f of o.changes) lines.push(`          ${fieldLine(f)}`);
  }
  return lines;
}

/** The plan, as `plan` prints it; `manifests` (when at hand) names the groups kept because prune is off. */
export function renderPlan(ctx: CommandContext, plan: ClusterPlan, manifests?: ClusterManifests): string {
  const head = `Cluster ${plan.cluster} in ${plan.store}`;
  const kept = manifests && !plan.prune ? plan.instanceGroups.filter((n) => !manifests.instanceGroups.some((g) => g.name === n)) : [];
  const keptLine = kept.length > 0 ? [`Not in the manifests, kept (--prune deletes them): ${kept.map((n) => `InstanceGroup/${n}`).join(', ')}`] : [];
  if (plan.changes.length === 0) return `${[`No changes: the store matches the manifests (${head}).`, ...keptLine].join('\n')}\n`;
  const s = planSummary(plan);
  return `${[`${head}:`, ...plan.changes.flatMap((c) => changeLines(ctx, c)), ...keptLine, `Plan: ${s.create} to create, ${s.change} to change, ${s.delete} to delete.`].join('\n')}\n`;
}

const DONE = { create: 'created', change: 'changed', delete: 'deleted' } as const;

/** What an apply wrote (each write listed unless the plan was just printed). */
export function renderApplyReport(ctx: CommandContext, report: ApplyReport, options: { listWrites: boolean }): string {
  const line = (w: WriteOutcome) => ctx.paint(COLOUR[w.action], `  ${SIGN[w.action]} ${w.object} ${DONE[w.action]}`);
  const lines: string[] = [];
  if (report.alreadyApplied.length > 0) lines.push('Already written by an earlier run of this plan:', ...report.alreadyApplied.map(line));
  if (report.applied.length > 0 && options.listWrites) lines.push(`Applied to cluster ${report.cluster} in ${report.store}:`, ...report.applied.map(line));
  const count = (action: WriteOutcome['action']) => report.applied.filter((w) => w.action === action).length;
  lines.push(report.applied.length === 0 ? 'Nothing to apply: the store already matches the plan.' : `Apply complete: ${count('create')} created, ${count('change')} changed, ${count('delete')} deleted.`);
  return `${lines.join('\n')}\n`;
}
