/**
 * Plain-text output: aligned tables for Statestore's own listings, and kops's objects and `get` tables
 * printed the way kops prints them — tables through Go's tabwriter as kops configures it (rows sorted,
 * cells padded with tabs to 8-column stops), YAML documents joined by `---`, JSON as Go's encoder writes
 * it (compact, one object per line, `<>&` escaped), several objects framed by `[`, `,` and `]`.
 */
import { joinKopsDocuments, type KopsYamlDocument } from '@statestore/core/config';

const TAB_WIDTH = 8;

/** Columns separated by at least three spaces, rows in the order given (Statestore's own listings). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/**
 * kops's tables.Table (`kops get` tables): rows sorted by their cells, left to right; every column but the last padded
 * with tabs to the next 8-column stop past its widest cell plus one.
 */
export function kopsTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const sorted = [...rows].sort((a, b) => {
    for (let i = 0; i < headers.length; i++) {
      const x = a[i] ?? '';
      const y = b[i] ?? '';
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  const all = [headers, ...sorted];
  const width = (s: string) => [...s].length;
  const stops = headers.slice(0, -1).map((_, i) => {
    const cell = Math.max(...all.map((r) => width(r[i] ?? ''))) + 1;
    return Math.ceil(cell / TAB_WIDTH) * TAB_WIDTH;
  });
  const line = (cells: readonly string[]) =>
    headers
      .map((_, i) => {
        const cell = cells[i] ?? '';
        return i === headers.length - 1 ? cell : cell + '\t'.repeat(Math.ceil((stops[i]! - width(cell)) / TAB_WIDTH));
      })
      .join('');
  return `${all.map(line).join('\n')}\n`;
}

/** Documents as `kops get -o yaml` prints them. */
export function yamlDocuments(docs: readonly KopsYamlDocument[]): string {
  return joinKopsDocuments(docs.map((d) => d.toString()));
}

/** One value as Go's json.Encoder writes it: compact, HTML characters and line separators escaped, then a newline. */
function goJson(value: unknown): string {
  return `${JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** Objects as `kops get -o json` prints them: one object alone, several (or a listing) framed as an array. */
export function jsonDocuments(objects: readonly unknown[], single: boolean): string {
  if (single && objects.length === 1) return goJson(objects[0]);
  return `[${objects.map(goJson).join(',')}]`;
}
