/**
 * config/object-diff owns the YAML-aware diff of kops objects: which fields of a Cluster or an
 * InstanceGroup were added, removed or changed, by path (`spec.kubernetesVersion`,
 * `spec.subnets[name=us-east-1a].cidr`), rather than by line. Lists whose items all carry a unique
 * `name` are matched by name, so inserting a subnet is one addition, not a cascade of changes.
 */
import { splitKopsDocuments, KopsYamlDocument } from './kops-yaml.js';

/** One changed field. Values are plain YAML values (strings, numbers, maps, lists). */
export interface FieldChange {
  /** Dotted path; list items as `[3]` or `[name=x]`. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

/** The changes of one document, named `Kind/metadata.name`. */
export interface ObjectDiff {
  object: string;
  kind: 'added' | 'removed' | 'changed';
  changes: FieldChange[];
}

/** Kinds whose values are shown; other documents (keysets, arbitrary addons) are never diffed by value. */
export const DIFFABLE_KINDS: readonly string[] = ['Cluster', 'InstanceGroup'];

/**
 * The field-level diff of two YAML texts holding kops objects, or undefined when either text is not
 * YAML made only of Cluster/InstanceGroup documents (then only "the file changed" can be said).
 */
export function diffKopsObjectTexts(a: string, b: string, source: string): ObjectDiff[] | undefined {
  const left = parseObjects(a, source);
  const right = parseObjects(b, source);
  if (!left || !right) return undefined;
  const out: ObjectDiff[] = [];
  for (const [id, value] of left) {
    const other = right.get(id);
    if (other === undefined) out.push({ object: id, kind: 'removed', changes: [] });
    else {
      const changes = diffValues(value, other, '');
      if (changes.length > 0) out.push({ object: id, kind: 'changed', changes });
    }
  }
  for (const id of right.keys()) if (!left.has(id)) out.push({ object: id, kind: 'added', changes: [] });
  return out;
}

function parseObjects(text: string, source: string): Map<string, unknown> | undefined {
  const objects = new Map<string, unknown>();
  try {
    for (const section of splitKopsDocuments(text)) {
      const doc = KopsYamlDocument.parse(section, source);
      const kind = doc.kind;
      if (kind === undefined || !DIFFABLE_KINDS.includes(kind)) return undefined;
      objects.set(`${kind}/${doc.name ?? ''}`, doc.toJS());
    }
  } catch {
    return undefined;
  }
  return objects.size > 0 ? objects : undefined;
}

/** Field-level differences between two plain values. */
export function diffValues(a: unknown, b: unknown, path: string): FieldChange[] {
  if (isMap(a) && isMap(b)) {
    const out: FieldChange[] = [];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = path === '' ? key : `${path}.${key}`;
      if (!(key in b)) out.push({ path: p, kind: 'removed', from: a[key] });
      else if (!(key in a)) out.push({ path: p, kind: 'added', to: b[key] });
      else out.push(...diffValues(a[key], b[key], p));
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const byName = namedItems(a) && namedItems(b);
    if (byName) {
      const left = new Map(a.map((item) => [(item as { name: string }).name, item]));
      const right = new Map(b.map((item) => [(item as { name: string }).name, item]));
      const out: FieldChange[] = [];
      for (const [name, item] of left) {
        const p = `${path}[name=${name}]`;
        if (!right.has(name)) out.push({ path: p, kind: 'removed', from: item });
        else out.push(...diffValues(item, right.get(name), p));
      }
      for (const [name, item] of right) if (!left.has(name)) out.push({ path: `${path}[name=${name}]`, kind: 'added', to: item });
      return out;
    }
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= b.length) out.push({ path: p, kind: 'removed', from: a[i] });
      else if (i >= a.length) out.push({ path: p, kind: 'added', to: b[i] });
      else out.push(...diffValues(a[i], b[i], p));
    }
    return out;
  }
  return sameValue(a, b) ? [] : [{ path, kind: 'changed', from: a, to: b }];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function namedItems(list: unknown[]): boolean {
  if (list.length === 0) return false;
  const names = list.map((item) => (isMap(item) && typeof item.name === 'string' ? item.name : undefined));
  return names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return JSON.stringify(a) === JSON.stringify(b);
}
