/**
 * The two ways an apply stops: a stale plan (the store moved since the plan was made: refused before anything
 * is written, naming what moved) and an incomplete apply (a write failed after others landed: the report says
 * what landed, what did not, and how to resume). Both are typed errors with the details as fields.
 */
import { ConflictError, StatestoreError, isOutcomeUnknown, isStatestoreError } from '../errors/errors.js';
import type { ObjectRead } from './cluster-state.js';
import type { ChangeAction } from './plan.js';

/** One object of a plan that the store no longer holds as the plan read it. */
export interface MovedObject {
  /** Relative to the store root. */
  key: string;
  /** `Kind/name`. */
  object: string;
  /** What happened to it since the plan read it. */
  change: 'changed' | 'added' | 'removed';
  was: ObjectRead;
  now: ObjectRead;
}

/** The store changed since the plan was made: nothing was written. */
export class StalePlanError extends ConflictError {
  override name = 'StalePlanError';
  constructor(
    readonly cluster: string,
    readonly moved: readonly MovedObject[],
    options: { url: string; createdAt: string; remedy?: string },
  ) {
    super(
      `the plan for cluster ${cluster} is stale: the store changed since the plan was made (${options.createdAt}), so nothing was written:\n` +
        moved.map((m) => `  ${m.change}: ${m.object} (${m.key})`).join('\n') +
        `\n${options.remedy ?? 'Make a new plan from the manifests, review it, and apply that.'}`,
      { url: options.url },
    );
  }
}

/** One write of a plan. */
export interface WriteOutcome {
  object: string;
  key: string;
  action: ChangeAction;
}

export interface FailedWrite extends WriteOutcome {
  error: string;
  /** "unknown": the service did not answer, so the write may have landed (a resumed apply finds out). */
  outcome: 'not-applied' | 'unknown';
}

/** Where an apply that stopped part-way left the store. */
export interface IncompleteApply {
  store: string;
  cluster: string;
  /** Written by this run before the failure. */
  landed: WriteOutcome[];
  /** Found already written (by an earlier run of the same plan). */
  alreadyApplied: WriteOutcome[];
  failed: FailedWrite;
  /** Not attempted after the failure. */
  notAttempted: WriteOutcome[];
}

const line = (w: WriteOutcome) => `${w.action} ${w.object} (${w.key})`;

/** A write failed; the error's code is the failed write's (OutcomeUnknown when its fate is unknown). */
export class ApplyIncompleteError extends StatestoreError {
  override name = 'ApplyIncompleteError';
  constructor(
    readonly report: IncompleteApply,
    cause: unknown,
    /** How to finish (default: apply the same plan again). */
    resume = 'To resume, apply the same plan again: what landed is recognised and skipped, and the rest is written (refused as stale if anything else changed meanwhile).',
  ) {
    const { landed, failed, notAttempted } = report;
    const head =
      landed.length === 0 && report.alreadyApplied.length === 0
        ? `apply of cluster ${report.cluster} failed at its first write; nothing was written`
        : `apply of cluster ${report.cluster} stopped part-way: ${landed.length} of ${landed.length + 1 + notAttempted.length} writes landed`;
    super(
      isStatestoreError(cause) ? cause.code : 'Unknown',
      [
        `${head}.`,
        ...landed.map((w) => `  landed:      ${line(w)}`),
        `  failed:      ${line(failed)}: ${failed.error}${failed.outcome === 'unknown' ? ' (it may or may not have landed)' : ''}`,
        ...notAttempted.map((w) => `  not written: ${line(w)}`),
        resume,
      ].join('\n'),
      { url: report.store, cause },
    );
  }

  static outcomeOf(cause: unknown): FailedWrite['outcome'] {
    return isOutcomeUnknown(cause) ? 'unknown' : 'not-applied';
  }
}
