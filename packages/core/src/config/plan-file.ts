/**
 * The plan file: a ClusterPlan as JSON (what `statestore plan -o FILE` writes and `statestore apply FILE`
 * reads). This file owns writing it and reading it back with every field checked, so that a hand-edited or
 * truncated file is refused with the field it got wrong rather than half-applied.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { isDns1123Subdomain } from './dns-names.js';
import type { ObjectRead } from './cluster-state.js';
import { PLAN_FORMAT, type ChangeAction, type ClusterPlan, type PlannedKind } from './plan.js';

/** The plan as a file: indented JSON with a final newline. */
export function stringifyPlan(plan: ClusterPlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

const ACTIONS: readonly ChangeAction[] = ['create', 'change', 'delete'];
const KINDS: readonly PlannedKind[] = ['Cluster', 'InstanceGroup', 'ClusterAddons'];

/** Reads a plan file; InvalidConfigError naming `source` and the field when it is not a plan this version wrote. */
export function parsePlan(text: string, source: string): ClusterPlan {
  const bad = (what: string) => new InvalidConfigError(`${source} is not a Statestore plan file: ${what}. Make the plan again with \`statestore plan -f MANIFESTS -o ${source}\``, { url: source });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(`it is not JSON (${(e as Error).message})`);
  }
  if (!isRecord(value)) throw bad('it is not a JSON object');
  if (value.format !== PLAN_FORMAT) throw bad(`format is ${JSON.stringify(value.format)}, not ${JSON.stringify(PLAN_FORMAT)}`);
  for (const field of ['createdAt', 'store', 'cluster'] as const) if (typeof value[field] !== 'string' || value[field] === '') throw bad(`${field} must be a non-empty string`);
  if (!isDns1123Subdomain(value.cluster as string)) throw bad('cluster must be a cluster name');
  if (typeof value.prune !== 'boolean') throw bad('prune must be true or false');
  if (!Array.isArray(value.documents) || !value.documents.every((d) => isRecord(d) && typeof d.source === 'string' && typeof d.text === 'string')) throw bad('documents must be a list of {source, text}');
  if (!isRecord(value.read) || !Object.values(value.read).every(isObjectRead)) throw bad('read must map keys to "absent" or {version, sha256}');
  if (!Array.isArray(value.instanceGroups) || !value.instanceGroups.every((n) => typeof n === 'string')) throw bad('instanceGroups must be a list of names');
  if (!Array.isArray(value.changes)) throw bad('changes must be a list');
  value.changes.forEach((c, i) => {
    const problem = changeProblem(c);
    if (problem) throw bad(`changes[${i}]: ${problem}`);
  });
  return value as unknown as ClusterPlan;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isObjectRead(v: unknown): v is ObjectRead {
  return v === 'absent' || (isRecord(v) && typeof v.version === 'string' && typeof v.sha256 === 'string' && (v.writeId === undefined || typeof v.writeId === 'string'));
}

function changeProblem(c: unknown): string | undefined {
  if (!isRecord(c)) return 'not an object';
  if (!KINDS.includes(c.kind as PlannedKind)) return `kind must be one of ${KINDS.join(', ')}`;
  if (!ACTIONS.includes(c.action as ChangeAction)) return `action must be one of ${ACTIONS.join(', ')}`;
  for (const field of ['object', 'name', 'key'] as const) if (typeof c[field] !== 'string' || c[field] === '') return `${field} must be a non-empty string`;
  if (!isDns1123Subdomain(c.name as string)) return 'name must be an object name';
  if (!Array.isArray(c.fields)) return 'fields must be a list';
  if (c.action === 'delete' ? c.write !== undefined : typeof c.write !== 'string') return c.action === 'delete' ? 'a delete writes nothing' : 'write must be the text to write';
  return undefined;
}
