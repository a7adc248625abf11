/**
 * The shape of a command module, option parsing (node:util parseArgs, strict) and help text. Each file
 * under commands/ exports one `command`; the dispatcher imports it only when it runs.
 */
import { parseArgs } from 'node:util';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** May be given more than once (values collected in order). */
  multiple?: boolean;
  /** Shown in help as `--flag VALUE`. */
  valueName?: string;
  description: string;
  /** Hidden aliases (e.g. kops's deprecated --master-size) map to this option. */
  aliases?: string[];
}

export interface CommandSpec {
  /** The words that select it, e.g. `create cluster`. */
  name: string;
  usage: string;
  summary: string;
  description?: string;
  examples: string[];
  options: Record<string, OptionSpec>;
  /** Whether it takes `-o/--output` (and which formats). */
  outputs?: readonly string[];
  /** The exit code of a usage error, when it is not 2 (`plan --detailed-exitcode` keeps 2 for "changes"). */
  usageExitCode?(argv: readonly string[]): number;
  /** The exit code of a failure, when it is not 1 (`diff` keeps 1 for "different", as diff(1)). */
  failureExitCode?: number;
  /** The exit codes, for help, when they are not the usual `0 ok, 1 failure, 2 usage`. */
  exitCodes?: string;
  run(ctx: CommandContext): Promise<number | void>;
}

export type OptionValue = string | boolean | string[] | undefined;

export interface ParsedArgs {
  values: Record<string, OptionValue>;
  positionals: string[];
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  state: { type: 'string', valueName: 'URL', description: 'State store (default: $KOPS_STATE_STORE, then kops_state_store in ~/.kops.yaml or ~/.kops/config)' },
  name: { type: 'string', valueName: 'CLUSTER', description: 'Cluster name (default: $KOPS_CLUSTER_NAME or the positional argument)' },
  'history-store': {
    type: 'string',
    valueName: 'URL',
    description: 'Where the history journal is kept when the state store records no other (another bucket or account); recorded in the state store by the first write',
  },
  config: { type: 'string', valueName: 'FILE', description: 'Config file to read kops_state_store from instead of ~/.kops.yaml and ~/.kops/config' },
  v: { type: 'string', short: 'v', valueName: 'N', description: 'Log level on stderr, as kops -v (also -v=N, --v=N): 0 notices, 1 each file, 2 retries and settings, 4 every HTTP request' },
  help: { type: 'boolean', short: 'h', description: 'Show help' },
};

/** The option of every command that takes a cluster's lease (CommandContext.withClusterLease). */
export const LOCK_TIMEOUT_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'DURATION',
  description: "How long to wait for another operator's lease on the cluster (default 60s; 0 fails at once)",
};

/** What every mutating command takes (command-table `mutating`): why, kept with the revision in the history. */
export const MESSAGE_OPTION: OptionSpec = { type: 'string', short: 'm', valueName: 'MESSAGE', description: 'Why: recorded with this change in the history (statestore history)' };

/** The command's spec as it runs: a mutating command takes -m/--message unless it defines its own. */
export function withMutatingOptions(spec: CommandSpec, mutating: boolean): CommandSpec {
  if (!mutating || spec.options.message) return spec;
  return { ...spec, options: { ...spec.options, message: MESSAGE_OPTION } };
}

export const OUTPUT_OPTION: OptionSpec = { type: 'string', short: 'o', valueName: 'FORMAT', description: 'Output format' };

/** Global options that take a value (so the dispatcher can skip their values when finding the command words). */
export const GLOBAL_VALUE_FLAGS = new Set(['--state', '--history-store', '--name', '--config', '-v', '--v', '-o', '--output']);

export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...spec.options };
  if (spec.outputs) all.output = { ...OUTPUT_OPTION, description: `Output format: ${spec.outputs.join(', ')}` };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  const aliasOf = new Map<string, string>();
  for (const [name, o] of Object.entries(all)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
    for (const alias of o.aliases ?? []) {
      options[alias] = { type: o.type, ...(o.multiple ? { multiple: true } : {}) };
      aliasOf.set(alias, name);
    }
  }
  // kops (klog) spells the level -v N, -v=N, --v N and --v=N; cobra takes --flag=true|false for boolean flags
  const negated = new Set<string>();
  const args: string[] = [];
  for (const a of argv) {
    if (/^--?v=/.test(a)) args.push('-v', a.slice(a.indexOf('=') + 1));
    else if (a === '--v') args.push('-v');
    else {
      const m = /^--([^=]+)=(true|false)$/i.exec(a);
      const option = m ? aliasOf.get(m[1]!) ?? m[1]! : undefined;
      if (m && option && all[option]?.type === 'boolean') {
        if (m[2]!.toLowerCase() === 'true') args.push(`--${m[1]}`);
        else negated.add(option);
      } else args.push(a);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`);
  }
  const values: Record<string, OptionValue> = {};
  for (const [key, value] of Object.entries(parsed.values)) {
    const target = aliasOf.get(key) ?? key;
    const existing = values[target];
    if (Array.isArray(existing) && Array.isArray(value)) values[target] = [...existing, ...(value as string[])];
    else values[target] = value as OptionValue;
  }
  for (const option of negated) if (values[option] === undefined) values[option] = false;
  if (spec.outputs && typeof values.output === 'string' && !spec.outputs.includes(values.output)) {
    throw new UsageError(`unsupported output format ${JSON.stringify(values.output)}; use ${spec.outputs.join(' or ')}`);
  }
  return { values, positionals: parsed.positionals };
}

/** What every command's exit code means unless its spec says otherwise (packages/cli/README.md has the table). */
export const USUAL_EXIT_CODES = '0 ok, 1 failure, 2 usage';

export function renderHelp(spec: CommandSpec): string {
  const lines = [`Usage: statestore ${spec.usage}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  const section = (title: string, options: Record<string, OptionSpec>) => {
    const rows = Object.entries(options).map(([name, o]) => {
      const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
      return [flag, `${o.description}${o.multiple ? ' (repeatable)' : ''}`] as const;
    });
    if (rows.length === 0) return;
    const width = Math.min(44, Math.max(...rows.map(([f]) => f.length)) + 2);
    lines.push('', title);
    for (const [flag, text] of rows) lines.push(`  ${flag.length + 2 > width ? `${flag}  ` : flag.padEnd(width)}${text}`);
  };
  const own: Record<string, OptionSpec> = { ...spec.options };
  if (spec.outputs) own.output = { ...OUTPUT_OPTION, description: `Output format: ${spec.outputs.join(', ')}` };
  section('Options:', own);
  section('Global options:', GLOBAL_OPTIONS);
  if (spec.examples.length > 0) {
    lines.push('', 'Examples:');
    for (const e of spec.examples) lines.push(`  ${e}`);
  }
  lines.push('', `Exit codes: ${spec.exitCodes ?? USUAL_EXIT_CODES}.`, '');
  return lines.join('\n');
}

/** A string option, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return typeof v === 'string' ? v : undefined;
}

/** A list option: repeated flags and comma-separated values, flattened; undefined when not given. */
export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  const v = args.values[name];
  if (v === undefined || typeof v === 'boolean') return undefined;
  const raw = Array.isArray(v) ? v : [v];
  return raw.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** Repeated values as given (no comma splitting). */
export function repeatedOption(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (v === undefined || typeof v === 'boolean') return [];
  return Array.isArray(v) ? v : [v];
}

export function intOption(args: ParsedArgs, name: string): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${name} must be a whole number, not ${JSON.stringify(v)}`);
  return Number(v);
}

export function boolOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A boolean flag given as --flag / --flag=true (true) or --flag=false (false); undefined when absent. */
export function optionalBoolOption(args: ParsedArgs, name: string): boolean | undefined {
  const v = args.values[name];
  return typeof v === 'boolean' ? v : undefined;
}
