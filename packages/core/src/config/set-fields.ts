/**
 * `set`/`unset` on a stored Cluster or InstanceGroup, with kops's rules (pkg/commands/set_cluster.go,
 * util/pkg/reflectutils): `path=value` split at the first `=`; an optional `cluster.`/`instancegroup.`
 * prefix; internal or v1alpha2 field names; `[N]` may equal the list length to append an element;
 * `[*]` matches every element; list values are split on `,` and **appended**; `map[string]string`
 * takes `key=value`; an empty value makes an optional struct `{}`; unknown paths are refused.
 * Values are converted by the field's kind (bool, integer, duration, quantity, …).
 *
 * Edits go through the YAML document, so comments and the layout of untouched fields stay.
 */
import { isMap, isSeq, type Document } from 'yaml';
import { InvalidConfigError } from '../errors/errors.js';
import { toStoredPath } from './field-aliases.js';
import { parseFieldPath, type FieldPathElement } from './field-path.js';
import { formatGoDuration, parseGoDuration } from './go-duration.js';
import { KOPS_FIELDS } from './kops-fields.generated.js';
import { kopsNode, type KopsYamlDocument } from './kops-yaml.js';

export type KopsKind = 'Cluster' | 'InstanceGroup';

type Segment = string | number;

interface Target {
  path: Segment[];
  code: string;
}

/** Applies `path=value` assignments in order (kops: unsets first, then sets — callers order them). */
export function setFields(doc: KopsYamlDocument, kind: KopsKind, assignments: readonly string[]): void {
  for (const assignment of assignments) setField(doc, kind, assignment);
}

export function unsetFields(doc: KopsYamlDocument, kind: KopsKind, paths: readonly string[]): void {
  for (const path of paths) unsetField(doc, kind, path);
}

function prefixFor(kind: KopsKind): string {
  return kind === 'Cluster' ? 'cluster.' : 'instancegroup.';
}

function resolvePathText(kind: KopsKind, text: string): FieldPathElement[] {
  const trimmed = text.trim();
  const bare = trimmed.startsWith(prefixFor(kind)) ? trimmed.slice(prefixFor(kind).length) : trimmed;
  return toStoredPath(kind, parseFieldPath(bare));
}

export function setField(doc: KopsYamlDocument, kind: KopsKind, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq === -1) throw new InvalidConfigError(`unhandled field: ${JSON.stringify(assignment)}; write path=value, e.g. spec.kubernetesVersion=1.36.3`);
  const pathText = assignment.slice(0, eq);
  const value = assignment.slice(eq + 1);
  const elements = resolvePathText(kind, pathText);
  const targets = expand(doc.doc, kind, elements, true, pathText);
  for (const target of targets) assign(doc, target, value, pathText);
}

export function unsetField(doc: KopsYamlDocument, kind: KopsKind, pathText: string): void {
  const elements = resolvePathText(kind, pathText);
  const targets = expand(doc.doc, kind, elements, false, pathText);
  for (const target of targets) {
    if (!doc.doc.hasIn(target.path)) continue;
    const last = target.path[target.path.length - 1];
    if (typeof last === 'number') {
      doc.doc.setIn(target.path, kopsNode(doc.doc, zeroValue(target.code)));
    } else if (target.code.endsWith('!')) {
      doc.doc.setIn(target.path, kopsNode(doc.doc, zeroValue(target.code)));
    } else {
      doc.doc.deleteIn(target.path);
    }
  }
}

function zeroValue(code: string): unknown {
  switch (code.replace('!', '')) {
    case 'b':
      return false;
    case 'i':
    case 'f':
      return 0;
    case 's':
    case 'd':
    case 'q':
      return '';
    default:
      return {};
  }
}

function structOf(code: string): Readonly<Record<string, string>> | undefined {
  const name = code.replace(/^\*/, '');
  return /^[A-Z]/.test(name) ? KOPS_FIELDS[name] : undefined;
}

/**
 * The concrete document paths a field path names, with the kind of value each holds. Refuses paths
 * that name no field of the type, as kops does ("field X not found in Cluster").
 */
function expand(doc: Document, kind: KopsKind, elements: readonly FieldPathElement[], forSet: boolean, original: string): Target[] {
  const notFound = () => new InvalidConfigError(`field ${original.trim()} not found in ${kind}; check the spelling against \`statestore get ${kind === 'Cluster' ? 'cluster NAME' : 'instancegroups'} -o yaml\``);
  let targets: Target[] = [{ path: [], code: kind }];
  elements.forEach((element, i) => {
    const isLast = i === elements.length - 1;
    const next: Target[] = [];
    for (const t of targets) {
      if (element.type === 'field') {
        const fields = structOf(t.code);
        const code = fields?.[element.name];
        if (!code) throw notFound();
        next.push({ path: [...t.path, element.name], code });
        continue;
      }
      if (!t.code.startsWith('[]')) throw notFound();
      const itemCode = t.code.slice(2);
      const list = doc.getIn(t.path, true);
      const length = isSeq(list) ? list.items.length : 0;
      if (element.type === 'wildcard') {
        for (let n = 0; n < length; n++) next.push({ path: [...t.path, n], code: itemCode });
        continue;
      }
      if (element.index < length || (forSet && !isLast && element.index === length)) {
        next.push({ path: [...t.path, element.index], code: itemCode });
      }
    }
    if (next.length === 0 && (forSet || elements.slice(0, i + 1).some((e) => e.type === 'index'))) throw notFound();
    targets = next;
  });
  return targets;
}

function assign(doc: KopsYamlDocument, target: Target, value: string, original: string): void {
  const code = target.code.replace(/!$/, '');
  const where = `${original.trim()}`;
  if (code.startsWith('[]')) {
    const items = value.split(',').map((token) => convert(code.slice(2), token, where));
    const current = doc.doc.getIn(target.path, true);
    if (isSeq(current)) {
      for (const item of items) current.items.push(kopsNode(doc.doc, item) as never);
    } else {
      doc.setIn(target.path, items);
    }
    return;
  }
  if (code.startsWith('{}')) {
    if (value === '') return;
    const eq = value.indexOf('=');
    const key = eq === -1 ? value : value.slice(0, eq);
    const raw = eq === -1 ? '' : value.slice(eq + 1);
    const itemCode = code.slice(2);
    let entry: unknown;
    if (itemCode === '[]s') entry = raw.split(',');
    else if (itemCode === 'x') entry = intOrString(raw);
    else if (itemCode === 's') entry = raw;
    else throw new InvalidConfigError(`cannot set field ${where}: unhandled map type; use edit`);
    const current = doc.doc.getIn(target.path, true);
    if (!isMap(current)) doc.setIn(target.path, {});
    doc.setIn([...target.path, key], entry);
    return;
  }
  if (code.startsWith('*')) {
    if (value !== '') throw new InvalidConfigError(`cannot set field ${where}: it holds an object; set one of its fields, or give an empty value to create it empty`);
    doc.setIn(target.path, {});
    return;
  }
  if (/^[A-Z]/.test(code)) {
    if (value !== '') throw new InvalidConfigError(`cannot set field ${where}: it holds an object; set one of its fields instead`);
    return;
  }
  doc.setIn(target.path, convert(code, value, where));
}

function intOrString(raw: string): string | number {
  return /^[-+]?\d+$/.test(raw) ? Number(raw) : raw;
}

/** Converts one value by kind, as kops's setType does. */
function convert(code: string, raw: string, where: string): unknown {
  const fail = (kind: string) => new InvalidConfigError(`cannot set field ${where}: cannot interpret ${JSON.stringify(raw)} value as ${kind}`);
  switch (code.replace(/!$/, '')) {
    case 's':
      return raw;
    case 'b':
      if (/^(1|t|T|TRUE|true|True)$/.test(raw)) return true;
      if (/^(0|f|F|FALSE|false|False)$/.test(raw)) return false;
      throw fail('bool');
    case 'i':
      if (!/^[-+]?\d+$/.test(raw)) throw fail('integer');
      return Number(raw);
    case 'f':
      if (raw.trim() === '' || Number.isNaN(Number(raw))) throw fail('number');
      return Number(raw);
    case 'd':
      try {
        return formatGoDuration(parseGoDuration(raw));
      } catch {
        throw fail('duration');
      }
    case 'q':
      if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+|[KMGTPE]i?|[numkMGTPE])?$/.test(raw)) throw fail('resource.Quantity');
      return raw;
    case 'x':
      return intOrString(raw);
    case 'e': {
      const eq = raw.indexOf('=');
      return eq === -1 ? { name: raw } : { name: raw.slice(0, eq), value: raw.slice(eq + 1) };
    }
    default:
      if (/^[A-Z*]/.test(code)) {
        if (raw === '') return {};
        throw new InvalidConfigError(`cannot set field ${where}: its elements are objects; set their fields with [N], e.g. ${where}[0].name=value`);
      }
      throw new InvalidConfigError(`cannot set field ${where}: this kind of value cannot be set from the command line; use edit`);
  }
}

/** Splits one `--set` flag value as kops does: a CSV record with lazy quotes, so unquoted commas separate assignments. */
export function splitSetFlag(value: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  let atStart = true;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '"') {
        if (value[i + 1] === '"') {
          field += '"';
          i++;
        } else if (value[i + 1] === ',' || i + 1 === value.length) {
          quoted = false;
        } else {
          field += '"';
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c === ',') {
      out.push(field);
      field = '';
      atStart = true;
      continue;
    }
    if (c === '"' && atStart) {
      quoted = true;
      atStart = false;
      continue;
    }
    atStart = false;
    field += c;
  }
  out.push(field);
  return out;
}

/** `--unset` is a plain string list: split on commas. */
export function splitUnsetFlag(value: string): string[] {
  return value.split(',');
}
