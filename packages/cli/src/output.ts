/**
 * Plain-text output helpers: aligned tables (kops's `get` style) and printing kops objects as YAML or JSON.
 */
import { joinKopsDocuments, type KopsYamlDocument } from '@statestore/core';

/** Columns separated by at least two spaces (three, as kops's tables). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** Documents as `kops get -o yaml` prints them. */
export function yamlDocuments(docs: readonly KopsYamlDocument[]): string {
  return joinKopsDocuments(docs.map((d) => d.toString()));
}

/** Objects as `kops get -o json` prints them: one object alone, several as an array. */
export function jsonDocuments(objects: readonly unknown[], single: boolean): string {
  return `${JSON.stringify(single && objects.length === 1 ? objects[0] : objects, null, 2)}\n`;
}
