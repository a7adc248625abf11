/**
 * The dispatcher: finds the command in the table, imports its module, parses its options, runs it, and
 * turns errors into messages and exit codes (0 ok, 1 failure, 2 usage, unless the command says otherwise).
 * The list of commands (`statestore`, `--help`, `help`) loads nothing of @statestore/core: core and the
 * command context are imported only when a command runs or fails.
 */
import { parseCommandArgs, renderHelp, GLOBAL_VALUE_FLAGS } from './command.js';
import { COMMANDS, findCommand, loadCommand } from './command-table.js';
import type { CommandContext, RunOptions } from './context.js';
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
  if (argv.length === 1 && argv[0] === 'help') {
    io.stdout.write(topLevelHelp());
    return EXIT_OK;
  }
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
  const command = await loadCommand(found.entry);
  const consumed = new Set(wordIndexes.slice(0, found.used));
  const commandArgv = argv.filter((_, i) => !consumed.has(i));
  let ctx: CommandContext | undefined;
  try {
    const args = parseCommandArgs(command, commandArgv);
    if (args.values.help === true) {
      io.stdout.write(renderHelp(command));
      return EXIT_OK;
    }
    const { CommandContext } = await import('./context.js');
    ctx = new CommandContext(io, args, options, { argv, mutating, name: command.name });
    const code = await command.run(ctx).finally(() => ctx!.warnIfMemfsForgets());
    return code ?? EXIT_OK;
  } catch (e) {
    const exitCodes = { usage: command.usageExitCode?.(commandArgv) ?? EXIT_USAGE, failure: command.failureExitCode ?? EXIT_FAILURE };
    return await report(io, e, command.name, exitCodes, ctx?.verbosity ?? 0);
  } finally {
    if (options.processEndsWithCommand) exitAfterGrace(io, ctx?.verbosity ?? 0);
  }
}

/**
 * The process ends with the command: if something an SDK left behind (a socket, a timer) still holds it
 * after a short grace, it exits anyway (with the exit code set by then), naming what was open at -v 2 and up.
 */
function exitAfterGrace(io: Io, verbosity: number): void {
  const leftover = setTimeout(() => {
    if (verbosity >= 2) io.stderr.write(`statestore: exiting with work still open: ${process.getActiveResourcesInfo().join(', ')}\n`);
    process.exit();
  }, 2_000);
  leftover.unref();
}

/** From this -v level on, a failure's stack trace follows its message (with the request lines of -v 4). */
const STACK_LEVEL = 4;

async function report(io: Io, e: unknown, name: string, exitCodes: { usage: number; failure: number }, verbosity: number): Promise<number> {
  const { redactSecrets } = await import('@statestore/core');
  if (e instanceof UsageError) {
    io.stderr.write(`statestore ${name}: ${redactSecrets(e.message)}\nRun 'statestore ${name} --help' for usage.\n`);
    return exitCodes.usage;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(`statestore ${name}: ${redactSecrets(message)}\n`);
  if (verbosity >= STACK_LEVEL && e instanceof Error && e.stack) io.stderr.write(`${redactSecrets(e.stack)}\n`);
  return exitCodes.failure;
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
    "Run 'statestore COMMAND --help' for a command's flags, examples and exit codes (0 ok, 1 failure, 2 usage, unless it says otherwise).",
    '',
  );
  return lines.join('\n');
}
