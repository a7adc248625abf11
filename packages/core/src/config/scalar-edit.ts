/**
 * config/scalar-edit owns changing scalar values inside a YAML text in place: only the bytes of each
 * edited value change; every other byte (comments, key order, the quoting of other values, blank lines)
 * stays exactly as it was. Used where a file must stay byte-identical except for named fields (migrate's
 * `spec.configBase` rewrite).
 */
import { isScalar, parseDocument, stringify } from 'yaml';
import { InvalidConfigError } from '../errors/errors.js';
import { looksLikeNonString } from './kops-yaml.js';

/** Set the string at `path` (map keys and list indexes) to `value`. */
export interface ScalarEdit {
  path: readonly (string | number)[];
  value: string;
}

/**
 * Applies the edits to `text` (one YAML document). Each path must already hold a scalar; the new value is
 * written in the same quoting style where that style can hold it. `source` names the file in errors.
 */
export function replaceScalars(text: string, edits: readonly ScalarEdit[], source: string): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new InvalidConfigError(`${source} is not valid YAML: ${doc.errors[0]!.message}. Fix the file and try again.`, { url: source });
  const spans = edits.map((edit) => {
    const node = doc.getIn(edit.path, true);
    if (!isScalar(node) || !node.range) {
      throw new InvalidConfigError(`${source} has no value at ${edit.path.join('.')} to replace`, { url: source });
    }
    const [start, end] = node.range;
    const original = text.slice(start, end);
    return { start, end, replacement: formatLike(edit.value, node.type, original) };
  });
  spans.sort((a, b) => b.start - a.start);
  let out = text;
  for (const span of spans) out = out.slice(0, span.start) + span.replacement + out.slice(span.end);
  return out;
}

/** The value as a YAML scalar in the original's style (plain, single or double quoted). */
function formatLike(value: string, type: string | undefined, original: string): string {
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (type === 'PLAIN') {
    const plain = stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
    if (plain === value && !looksLikeNonString(value)) return plain;
  }
  const quoted = JSON.stringify(value);
  // a block scalar's range ends with its line break; keep the line structure
  return type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED' ? `${quoted}${original.endsWith('\n') ? '\n' : ''}` : quoted;
}
