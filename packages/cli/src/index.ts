/**
 * @statestore/cli as a library: run the `statestore` command in-process (tests, wrappers).
 * The command-line entry point is bin.ts.
 */
export { main } from './main.js';
export { COMMANDS, findCommand, type CommandEntry } from './command-table.js';
export type { CommandSpec, OptionSpec } from './command.js';
export type { Io } from './io.js';
export type { RunOptions } from './context.js';
export { EXIT_OK, EXIT_FAILURE, EXIT_USAGE, UsageError } from './errors.js';
