/**
 * One changed field as a line of text (`~ spec.kubernetesVersion: 1.30.0 → 1.31.0`), for `diff` and `plan`.
 */
import type { FieldChange } from '@statestore/core/config';

export function fieldLine(f: FieldChange): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (f.kind === 'added') return `+ ${f.path}: ${show(f.to)}`;
  if (f.kind === 'removed') return `- ${f.path}: ${show(f.from)}`;
  return `~ ${f.path}: ${show(f.from)} → ${show(f.to)}`;
}
