/**
 * `--dry-run` for commands that write: the flag, and how a dry run reports an object it would change (the
 * fields, as `diff` and `plan` print them). A dry run reads what it needs and writes nothing — not even the
 * probe some backends make before their first conditional write.
 */
import { diffValues, type FieldChange } from '@statestore/core/config';
import { boolOption, type OptionSpec, type ParsedArgs } from './command.js';
import { fieldLine } from './field-lines.js';

export const DRY_RUN_OPTION: OptionSpec = { type: 'boolean', description: 'Show what would change; write nothing' };

export function isDryRun(args: ParsedArgs): boolean {
  return boolOption(args, 'dry-run');
}

/** The field changes from `before` to `after` (objects as read from YAML). */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  return diffValues(before, after, '');
}

/** `Would change Cluster c: …` with one indented line per field, or that nothing would change. */
export function dryRunText(object: string, changes: readonly FieldChange[]): string {
  if (changes.length === 0) return `Dry run: ${object} would not change. Nothing was written.\n`;
  return `Dry run: ${object} would change (nothing was written):\n${changes.map((c) => `  ${fieldLine(c)}\n`).join('')}`;
}
