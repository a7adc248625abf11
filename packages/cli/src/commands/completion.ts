/**
 * `statestore completion bash|zsh`: a shell completion script for the commands, their words and flags
 * (zsh through its bash-completion layer).
 */
import { GLOBAL_OPTIONS, type CommandSpec } from '../command.js';
import { COMMANDS } from '../command-table.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

export const command: CommandSpec = {
  name: 'completion',
  usage: 'completion bash|zsh',
  summary: 'Print a shell completion script.',
  examples: ['source <(statestore completion bash)', 'statestore completion zsh > "${fpath[1]}/_statestore"', 'echo \'source <(statestore completion bash)\' >> ~/.bashrc'],
  options: {},
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const shell = ctx.args.positionals[0];
  if (shell !== 'bash' && shell !== 'zsh') throw new UsageError('give the shell: bash or zsh');
  const flags = new Map<string, string[]>();
  for (const entry of COMMANDS) {
    const { command: spec } = await entry.load();
    const names = Object.entries({ ...GLOBAL_OPTIONS, ...spec.options }).flatMap(([n, o]) => [`--${n}`, ...(o.short ? [`-${o.short}`] : [])]);
    if (spec.outputs) names.push('--output', '-o');
    for (const words of [entry.words, ...(entry.aliases ?? [])]) flags.set(words.join(' '), names);
  }
  const first = [...new Set(COMMANDS.flatMap((c) => [c.words[0]!, ...(c.aliases ?? []).map((a) => a[0]!)]))];
  const second = new Map<string, Set<string>>();
  for (const c of COMMANDS) {
    for (const w of [c.words, ...(c.aliases ?? [])]) if (w.length === 2) (second.get(w[0]!) ?? second.set(w[0]!, new Set()).get(w[0]!)!).add(w[1]!);
  }
  const lines = [
    '# statestore shell completion',
    ...(shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit'] : []),
    '_statestore() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" opts=""',
    '  if [[ ${COMP_CWORD} -eq 1 ]]; then',
    `    COMPREPLY=( $(compgen -W "${first.join(' ')} --help --version" -- "$cur") ); return 0`,
    '  fi',
    '  if [[ ${COMP_CWORD} -eq 2 && "$cur" != -* ]]; then',
    '    case "${COMP_WORDS[1]}" in',
    ...[...second].map(([verb, nouns]) => `      ${verb}) COMPREPLY=( $(compgen -W "${[...nouns].join(' ')}" -- "$cur") ); return 0;;`),
    '    esac',
    '  fi',
    '  if [[ "$cur" == -* ]]; then',
    '    case "${COMP_WORDS[1]} ${COMP_WORDS[2]}" in',
    ...[...flags].filter(([w]) => w.includes(' ')).map(([w, f]) => `      "${w}") opts="${f.join(' ')}";;`),
    '    esac',
    '    if [[ -z "$opts" ]]; then',
    '      case "${COMP_WORDS[1]}" in',
    ...[...flags].filter(([w]) => !w.includes(' ')).map(([w, f]) => `        ${w}) opts="${f.join(' ')}";;`),
    '      esac',
    '    fi',
    '    COMPREPLY=( $(compgen -W "$opts" -- "$cur") ); return 0',
    '  fi',
    '  COMPREPLY=( $(compgen -f -- "$cur") )',
    '}',
    'complete -F _statestore statestore',
    '',
  ];
  ctx.out(lines.join('\n'));
  return 0;
}
