/**
 * kops-style YAML. kops serialises objects to JSON and converts that to YAML with go-yaml v2, so a new
 * object is written with map keys in go-yaml's order at every level, 2-space indentation, list items at
 * their parent key's indentation, `{}`/`[]` for empty collections, and double quotes around strings
 * that YAML 1.1 would read as something else (`"true"`, `"2017-01-01T00:00:00Z"`, `"1.30"`).
 *
 * Existing objects are edited through the `yaml` package's Document API, so the comments, key order,
 * quoting and unknown fields of everything an edit does not touch stay as they were.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, visit, type Node, type Pair, type ToStringOptions } from 'yaml';
import { InvalidConfigError } from '../errors/errors.js';

/**
 * go-yaml v2's map-key order: rune by rune; letters compare by code point, a non-letter sorts before a
 * letter, and runs of digits compare by numeric value (so `a2` < `a10`).
 */
export function compareKopsKeys(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ca = ar[i]!;
    const cb = br[i]!;
    if (ca === cb) continue;
    const al = isLetter(ca);
    const bl = isLetter(cb);
    if (al && bl) return ca < cb ? -1 : 1;
    if (al || bl) return bl ? -1 : 1;
    let an = 0;
    let bn = 0;
    if (ca === '0' || cb === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ca < cb ? -1 : 1;
  }
  return ar.length - br.length;
}

function isLetter(c: string): boolean {
  return /\p{L}/u.test(c);
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Strings go-yaml v2 double-quotes: empty, or read by YAML 1.1 as a bool, null, number or timestamp. */
export function looksLikeNonString(s: string): boolean {
  if (s === '') return true;
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/.test(s)) return true;
  if (/^(~|null|Null|NULL)$/.test(s)) return true;
  if (/^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|(0|[1-9][0-9_]*))$/.test(s)) return true;
  if (/^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$/.test(s) && /[0-9]/.test(s)) return true;
  if (/^[-+]?[0-9][0-9_]*(\.[0-9_]*)?[eE][-+]?[0-9]+$/.test(s)) return true;
  if (/^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(s)) return true;
  if (/^[-+]?\.(inf|Inf|INF)$/.test(s) || /^\.(nan|NaN|NAN)$/.test(s)) return true;
  if (/^\d{4}-\d{1,2}-\d{1,2}([Tt ]|\s+)?(\d{1,2}:\d{2}:\d{2}(\.\d*)?)?\s*(Z|[-+]\d{1,2}(:\d{2})?)?$/.test(s)) return true;
  return false;
}

/** Layout a document is written with: new objects use kops's; edited ones keep what they had. */
export interface YamlLayout {
  indent: number;
  indentSeq: boolean;
}

export const KOPS_LAYOUT: YamlLayout = { indent: 2, indentSeq: false };

function toStringOptions(layout: YamlLayout): ToStringOptions {
  return { indent: layout.indent, indentSeq: layout.indentSeq, singleQuote: true, lineWidth: 80, minContentWidth: 20, flowCollectionPadding: false };
}

/** Sorts every map of a plain value by kops's key order (returns new objects; lists keep their order). */
export function sortKopsKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKopsKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => compareKopsKeys(a, b));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKopsKeys(v)]));
  }
  return value;
}

/** Marks the scalars go-yaml would double-quote (strings that read as other types). */
function quoteAmbiguous(doc: Document): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && looksLikeNonString(node.value) && node.type !== 'QUOTE_SINGLE') node.type = 'QUOTE_DOUBLE';
    },
  });
}

/** A new document for a plain object, in kops's canonical form. */
export function createKopsDocument(value: unknown): Document {
  const doc = new Document(sortKopsKeys(value));
  quoteAmbiguous(doc);
  return doc;
}

/** Serialises a plain object exactly as kops would write it. */
export function stringifyKopsObject(value: unknown): string {
  return createKopsDocument(value).toString(toStringOptions(KOPS_LAYOUT));
}

/** Guesses the indentation a YAML text was written with (defaults to kops's). */
export function detectLayout(text: string): YamlLayout {
  const lines = text.split('\n');
  let indent = 0;
  let indentSeq: boolean | undefined;
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i]!;
    const m = /^( *)[^\s#-][^#]*:\s*$/.exec(line);
    if (!m) continue;
    const next = lines.slice(i + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    if (!next) continue;
    const parent = m[1]!.length;
    const child = /^( *)/.exec(next)![1]!.length;
    if (next.trimStart().startsWith('- ') || next.trim() === '-') {
      if (indentSeq === undefined) indentSeq = child > parent;
      if (child > parent && indent === 0) indent = child - parent;
    } else if (child > parent && indent === 0) {
      indent = child - parent;
    }
    if (indent !== 0 && indentSeq !== undefined) break;
  }
  return { indent: indent || 2, indentSeq: indentSeq ?? false };
}

/**
 * One YAML document of a kops object, with the layout it was read with. Edits go through `doc` (the
 * `yaml` Document API); `toString()` writes it back keeping comments, key order and quoting.
 */
export class KopsYamlDocument {
  constructor(
    readonly doc: Document,
    readonly layout: YamlLayout = KOPS_LAYOUT,
  ) {}

  /** A new object in kops's canonical form. */
  static fromObject(value: unknown): KopsYamlDocument {
    return new KopsYamlDocument(createKopsDocument(value), KOPS_LAYOUT);
  }

  /** Parses one document; InvalidConfigError naming `source` on a syntax error. */
  static parse(text: string, source: string): KopsYamlDocument {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new InvalidConfigError(`${source} is not valid YAML: ${doc.errors[0]!.message}. Fix the file and try again.`, { url: source });
    }
    try {
      doc.toJS({ maxAliasCount: 100 }); // refuse alias bombs here, once, with a typed error
    } catch (e) {
      throw new InvalidConfigError(`${source} cannot be read as YAML: ${(e as Error).message}. Fix the file and try again.`, { url: source });
    }
    return new KopsYamlDocument(doc, detectLayout(text));
  }

  /** The document as a plain value. */
  toJS(): Record<string, unknown> {
    const value = this.doc.toJS({ maxAliasCount: 100 }) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }

  get apiVersion(): string | undefined {
    const v = this.doc.get('apiVersion');
    return typeof v === 'string' ? v : undefined;
  }

  get kind(): string | undefined {
    const v = this.doc.get('kind');
    return typeof v === 'string' ? v : undefined;
  }

  get name(): string | undefined {
    const v = this.doc.getIn(['metadata', 'name']);
    return typeof v === 'string' ? v : undefined;
  }

  /** Sets a value at a path of map keys and list indexes, creating maps on the way, new keys in kops order. */
  setIn(path: readonly (string | number)[], value: unknown): void {
    setInOrdered(this.doc, path, value);
  }

  /** Removes the value at a path; missing paths are left alone. */
  deleteIn(path: readonly (string | number)[]): void {
    if (this.doc.hasIn(path)) this.doc.deleteIn(path);
  }

  getIn(path: readonly (string | number)[]): unknown {
    const v = this.doc.getIn(path, false);
    return isScalar(v) ? v.value : v && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v;
  }

  clone(): KopsYamlDocument {
    return new KopsYamlDocument(this.doc.clone(), this.layout);
  }

  toString(): string {
    return this.doc.toString(toStringOptions(this.layout));
  }
}

/** Creates a node for a plain value, sorted and quoted as kops would write it. */
export function kopsNode(doc: Document, value: unknown): Node {
  const node = doc.createNode(sortKopsKeys(value)) as Node;
  visit(node, {
    Scalar(_key, s) {
      if (typeof s.value === 'string' && looksLikeNonString(s.value)) s.type = 'QUOTE_DOUBLE';
    },
  });
  return node;
}

/**
 * `doc.setIn`, except that a key added to an existing map goes where kops's order puts it, and
 * the new value is written the way kops writes values.
 */
export function setInOrdered(doc: Document, path: readonly (string | number)[], value: unknown): void {
  if (path.length === 0) throw new InvalidConfigError('Cannot replace a whole document with setIn');
  let parent: unknown = doc.contents;
  if (!parent) {
    doc.contents = doc.createNode({}) as never;
    parent = doc.contents;
  }
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let next = getChild(parent, key);
    if (next === undefined || next === null || (isScalar(next) && next.value === null)) {
      next = doc.createNode(typeof path[i + 1] === 'number' ? [] : {});
      putChild(doc, parent, key, next);
    }
    parent = next;
  }
  putChild(doc, parent, path[path.length - 1]!, kopsNode(doc, value));
}

function getChild(parent: unknown, key: string | number): unknown {
  if (isMap(parent)) return parent.get(key, true);
  if (isSeq(parent) && typeof key === 'number') return parent.get(key, true);
  throw new InvalidConfigError(`Cannot descend into ${String(key)}: the value on the way is not a map or list`);
}

function putChild(doc: Document, parent: unknown, key: string | number, node: unknown): void {
  if (isSeq(parent)) {
    if (typeof key !== 'number') throw new InvalidConfigError(`Cannot use ${key} as a list index`);
    if (key === parent.items.length) parent.items.push(node as never);
    else parent.set(key, node);
    return;
  }
  if (!isMap(parent)) throw new InvalidConfigError(`Cannot set ${String(key)}: the value on the way is not a map`);
  const keyString = String(key);
  const existing = parent.items.findIndex((p) => keyOf(p) === keyString);
  if (existing !== -1) {
    const pair = parent.items[existing]!;
    // keep the comment that sat before the old value
    const old = pair.value as Node | null;
    if (old && node && typeof node === 'object' && 'commentBefore' in old && old.commentBefore) (node as Node).commentBefore = old.commentBefore;
    pair.value = node as never;
    return;
  }
  const pair = doc.createPair(keyString, node) as Pair;
  const at = parent.items.findIndex((p) => compareKopsKeys(keyOf(p), keyString) > 0);
  if (at === -1) {
    parent.items.push(pair as never);
    return;
  }
  if (at === 0 && parent.commentBefore && isScalar(parent.items[0]?.key)) {
    // a comment above the first entry belongs to that entry, not to the new one inserted before it
    const first = parent.items[0]!.key as Node;
    first.commentBefore = first.commentBefore ? `${parent.commentBefore}\n${first.commentBefore}` : parent.commentBefore;
    parent.commentBefore = undefined;
  }
  parent.items.splice(at, 0, pair as never);
}

function keyOf(pair: Pair): string {
  const k = pair.key as unknown;
  return isScalar(k) ? String(k.value) : String(k);
}

/**
 * Splits a multi-document text the way kops does (CRLF normalised, split on a line holding only
 * `---`), dropping empty sections.
 */
export function splitKopsDocuments(text: string): string[] {
  const normalised = text.replace(/\r\n/g, '\n');
  return normalised
    .split(/\n---[ \t]*\n/)
    .map((s) => s.replace(/^---[ \t]*\n/, ''))
    .filter((s) => s.replace(/#.*$/gm, '').trim() !== '');
}

/** Joins serialised objects as `kops get -o yaml` prints them (a blank line, `---`, a blank line). */
export function joinKopsDocuments(texts: readonly string[]): string {
  return texts.map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('\n---\n\n');
}
