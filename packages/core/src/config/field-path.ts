/**
 * kops field paths, as `kops set`/`--set`/`--unset` take them: identifiers separated by `.` (or `/`),
 * `[N]` for a list index and `[*]` for every element. There is no syntax for map keys.
 */
import { InvalidConfigError } from '../errors/errors.js';

export type FieldPathElement = { type: 'field'; name: string } | { type: 'index'; index: number } | { type: 'wildcard' };

export function parseFieldPath(text: string): FieldPathElement[] {
  const elements: FieldPathElement[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new InvalidConfigError(`Cannot parse field path ${JSON.stringify(text)}: ${what}. Use names separated by dots, [N] or [*], e.g. spec.etcdClusters[*].version`);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '.' || c === '/' || c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      elements.push({ type: 'field', name: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === '[') {
      const m = /^\[\s*(\*|\d+)\s*\]/.exec(text.slice(i));
      if (!m) fail(`unexpected ${JSON.stringify(text.slice(i, i + 8))}`);
      elements.push(m![1] === '*' ? { type: 'wildcard' } : { type: 'index', index: Number(m![1]) });
      i += m![0].length;
      continue;
    }
    fail(`unexpected ${JSON.stringify(c)}`);
  }
  if (elements.length === 0) fail('it is empty');
  return elements;
}

export function formatFieldPath(elements: readonly FieldPathElement[]): string {
  let out = '';
  for (const e of elements) {
    if (e.type === 'field') out += out === '' ? e.name : `.${e.name}`;
    else if (e.type === 'index') out += `[${e.index}]`;
    else out += '[*]';
  }
  return out;
}
