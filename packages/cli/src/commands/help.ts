/**
 * `statestore help [COMMAND]`: the list of commands, or one command's help (the same as `COMMAND --help`).
 */
import { renderHelp, type CommandSpec } from '../command.js';
import { COMMANDS, findCommand, loadCommand } from '../command-table.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { topLevelHelp } from '../main.js';

export const command: CommandSpec = {
  name: 'help',
  usage: 'help [COMMAND]',
  summary: "Show the list of commands, or a command's flags, examples and exit codes.",
  examples: ['statestore help', 'statestore help create cluster', 'statestore help sync'],
  options: {},
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const words = ctx.args.positionals;
  if (words.length === 0) {
    ctx.out(topLevelHelp());
    return 0;
  }
  const found = findCommand(words);
  if (!found || found.used !== words.length) {
    const starting = COMMANDS.filter((c) => c.words[0] === words[0] && c.words.length > 1).map((c) => c.words.join(' '));
    const hint = starting.length > 0 ? `: ${starting.join(', ')}` : "; run 'statestore help' for the list";
    throw new UsageError(`no command ${JSON.stringify(words.join(' '))}${hint}`);
  }
  ctx.out(renderHelp(await loadCommand(found.entry)));
  return 0;
}
