/**
 * A checker in the manner of Jepsen's: every operation is recorded when it is invoked and when it ends
 * (ok, failed before anything was sent, or outcome unknown — including a process killed mid-way); the
 * final state is then read once. An acknowledged operation must be in it exactly once; an unknown one at
 * most once; a failed one never; and nothing may be there that nobody wrote.
 */

export type Outcome = 'ok' | 'fail' | 'unknown';

export interface OperationRecord {
  id: string;
  outcome?: Outcome;
  detail?: string;
}

export class History {
  private readonly ops = new Map<string, OperationRecord>();

  invoke(id: string): void {
    if (this.ops.has(id)) throw new Error(`operation ${id} invoked twice`);
    this.ops.set(id, { id });
  }

  complete(id: string, outcome: Outcome, detail?: string): void {
    const op = this.ops.get(id);
    if (!op) throw new Error(`operation ${id} completed but never invoked`);
    op.outcome = outcome;
    if (detail) op.detail = detail;
  }

  /** Operations still open (their process died or never answered) count as unknown. */
  operations(): OperationRecord[] {
    return [...this.ops.values()].map((op) => ({ ...op, outcome: op.outcome ?? 'unknown' }));
  }
}

export interface Verdict {
  acknowledged: number;
  unknown: number;
  failed: number;
  /** Acknowledged but absent from the final state. */
  lost: string[];
  /** Present more than once (or more than once for an unknown one). */
  duplicated: string[];
  /** Failed (nothing sent) yet present. */
  failedButPresent: string[];
  /** Present but never invoked. */
  phantom: string[];
}

/** Checks a history against the tokens of the final state (one token per applied operation). */
export function check(history: History, finalTokens: readonly string[]): Verdict {
  const counts = new Map<string, number>();
  for (const t of finalTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  const verdict: Verdict = { acknowledged: 0, unknown: 0, failed: 0, lost: [], duplicated: [], failedButPresent: [], phantom: [] };
  const known = new Set<string>();
  for (const op of history.operations()) {
    known.add(op.id);
    const n = counts.get(op.id) ?? 0;
    if (n > 1) verdict.duplicated.push(op.id);
    if (op.outcome === 'ok') {
      verdict.acknowledged++;
      if (n === 0) verdict.lost.push(op.id);
    } else if (op.outcome === 'unknown') verdict.unknown++;
    else {
      verdict.failed++;
      if (n > 0) verdict.failedButPresent.push(op.id);
    }
  }
  for (const t of counts.keys()) if (!known.has(t)) verdict.phantom.push(t);
  return verdict;
}

/** The violations of a verdict, as one line (empty when there are none). */
export function violations(v: Verdict): string {
  const parts: string[] = [];
  if (v.lost.length) parts.push(`lost ${v.lost.length}: ${v.lost.slice(0, 5).join(', ')}`);
  if (v.duplicated.length) parts.push(`duplicated ${v.duplicated.length}: ${v.duplicated.slice(0, 5).join(', ')}`);
  if (v.failedButPresent.length) parts.push(`failed but present ${v.failedButPresent.length}`);
  if (v.phantom.length) parts.push(`phantom ${v.phantom.length}`);
  return parts.join('; ');
}

/** Error codes that prove nothing was written (the operation gave up before sending its write). */
export function outcomeOfError(code: string | undefined): Outcome {
  return code === 'Conflict' || code === 'Unsupported' ? 'fail' : 'unknown';
}
