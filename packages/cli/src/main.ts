/**
 * The dispatcher: finds the command in the table, imports its module, parses its options, runs it, and
 * turns errors into messages and exit codes (0 ok, 1 failure, 2 usage).
 */
import { redactSecrets } from '@statestore/core';
import { parseCommandArgs, renderHelp, withMutatingOptions, GLOBAL_VALUE_FLAGS } from './command.js';
import { COMMANDS, findCommand } from './command-table.js';
import { CommandContext, type RunOptions } from './context.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { processIo, type Io } from './io.js';

/** Runs one invocation; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo(), options: RunOptions = {}): Promise<number> {
  // The command words are the first non-flag tokens (values of global flags such as --state skipped).
  const wordIndexes: number[] = [];
  for (let i = 0; i < argv.length && wordIndexes.length < 2; i++) {
    const a = argv[i]!;
    if (a.startsWith('-')) {
      if (GLOBAL_VALUE_FLAGS.has(a)) i++;
      continue;
    }
    wordIndexes.push(i);
  }
  const words = wordIndexes.map((i) => argv[i]!);
  if (words.length === 0) {
    const wantsHelp = argv.some((a) => a === '--help' || a === '-h');
    io[wantsHelp ? 'stdout' : 'stderr'].write(topLevelHelp());
    return wantsHelp ? EXIT_OK : EXIT_USAGE;
  }
  const found = findCommand(words);
  if (!found) {
    io.stderr.write(`statestore: unknown command ${JSON.stringify(words.join(' '))}\nRun 'statestore --help' for the list of commands.\n`);
    return EXIT_USAGE;
  }
  const mutating = found.entry.mutating === true;
  const command = withMutatingOptions((await found.entry.load()).command, mutating);
  const consumed = new Set(wordIndexes.slice(0, found.used));
  const commandArgv = argv.filter((_, i) => !consumed.has(i));
  let ctx: CommandContext | undefined;
  try {
    const args = parseCommandArgs(command, commandArgv);
    if (args.values.help === true) {
      io.stdout.write(renderHelp(command));
      return EXIT_OK;
    }
    ctx = new CommandContext(io, args, options, { argv, mutating });
    const code = await command.run(ctx);
    return code ?? EXIT_OK;
  } catch (e) {
    return report(io, e, command.name, command.usageExitCode?.(commandArgv) ?? EXIT_USAGE);
  }
}

function report(io: Io, e: unknown, name: string, usageExit: number): number {
  if (e instanceof UsageError) {
    io.stderr.write(`statestore ${name}: ${redactSecrets(e.message)}\nRun 'statestore ${name} --help' for usage.\n`);
    return usageExit;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(`statestore ${name}: ${redactSecrets(message)}\n`);
  if (process.env.STATESTORE_VERBOSITY && Number(process.env.STATESTORE_VERBOSITY) >= 4 && e instanceof Error && e.stack) io.stderr.write(`${redactSecrets(e.stack)}\n`);
  return EXIT_FAILURE;
}

export function topLevelHelp(): string {
  const groups: [string, string][] = [
    ['cluster', 'Cluster configuration (kops layout):'],
    ['store', 'Files in any store:'],
    ['tool', 'Tools:'],
  ];
  const lines = ['statestore: the kops state store, in any backend', '', 'Usage: statestore COMMAND [flags]'];
  for (const [group, title] of groups) {
    lines.push('', title);
    for (const c of COMMANDS.filter((x) => x.group === group)) lines.push(`  ${c.words.join(' ').padEnd(24)}${c.summary}`);
  }
  lines.push(
    '',
    'The state store comes from --state, $KOPS_STATE_STORE, then kops_state_store in ~/.kops.yaml or ~/.kops/config.',
    "Run 'statestore COMMAND --help' for a command's flags and examples. Exit codes: 0 ok, 1 failure, 2 usage.",
    '',
  );
  return lines.join('\n');
}
