/**
 * `statestore completion bash|zsh`: a shell completion script for the commands, their words and flags,
 * and the cluster and instance-group names of the store the command line points at (asked of
 * `statestore __complete` when Tab is pressed); zsh through its bash-completion layer.
 */
import { GLOBAL_OPTIONS, type CommandSpec } from '../command.js';
import { COMMANDS, loadCommand } from '../command-table.js';
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
  const valueFlags = new Set<string>(['--output', '-o']);
  for (const entry of COMMANDS) {
    const spec = await loadCommand(entry);
    const options = Object.entries({ ...GLOBAL_OPTIONS, ...spec.options });
    for (const [n, o] of options) if (o.type === 'string' && n !== 'name') [`--${n}`, ...(o.short ? [`-${o.short}`] : [])].forEach((f) => valueFlags.add(f));
    const names = options.flatMap(([n, o]) => [`--${n}`, ...(o.short ? [`-${o.short}`] : [])]);
    if (spec.outputs) names.push('--output', '-o');
    for (const words of [entry.words, ...(entry.aliases ?? [])]) flags.set(words.join(' '), names);
  }
  const first = [...new Set(COMMANDS.flatMap((c) => [c.words[0]!, ...(c.aliases ?? []).map((a) => a[0]!)]))];
  const second = new Map<string, Set<string>>();
  for (const c of COMMANDS) {
    for (const w of [c.words, ...(c.aliases ?? [])]) if (w.length === 2) (second.get(w[0]!) ?? second.set(w[0]!, new Set()).get(w[0]!)!).add(w[1]!);
  }
  // Which command words take cluster or instance-group names (asked of the store: statestore __complete).
  const naming = (kind: 'cluster' | 'instancegroup', length: number) =>
    COMMANDS.filter((c) => c.completes === kind).flatMap((c) => [c.words, ...(c.aliases ?? [])]).filter((w) => w.length === length).map((w) => `"${w.join(' ')}"`);
  const names = (kind: 'clusters' | 'instancegroups') => `COMPREPLY=( $(compgen -W "$(_statestore_names ${kind})" -- "$cur") ); return 0`;
  const valueOf = [...valueFlags].sort().join('|');
  const lines = [
    '# statestore shell completion',
    ...(shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit'] : []),
    '# Names from the store the command line points at (its --state, --config and --name).',
    '_statestore_names() {',
    '  local args=() i',
    '  for ((i=1; i<COMP_CWORD; i++)); do',
    '    case "${COMP_WORDS[i]}" in --state|--config|--name) args+=("${COMP_WORDS[i]}" "${COMP_WORDS[i+1]}");; esac',
    '  done',
    '  statestore __complete "$1" "${args[@]}" 2>/dev/null',
    '}',
    '_statestore() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" opts=""',
    '  if [[ ${COMP_CWORD} -eq 1 ]]; then',
    `    COMPREPLY=( $(compgen -W "${first.filter((w) => !w.startsWith('__')).join(' ')} --help --version" -- "$cur") ); return 0`,
    '  fi',
    '  if [[ ${COMP_CWORD} -eq 2 && "$cur" != -* ]]; then',
    '    case "${COMP_WORDS[1]}" in',
    ...[...second].map(([verb, nouns]) => `      ${verb}) COMPREPLY=( $(compgen -W "${[...nouns].join(' ')}" -- "$cur") ); return 0;;`),
    '    esac',
    '  fi',
    `  if [[ "$prev" == --name ]]; then ${names('clusters')}; fi`,
    `  case "$prev" in ${valueOf}) COMPREPLY=( $(compgen -f -- "$cur") ); return 0;; esac`,
    '  if [[ "$cur" != -* ]]; then',
    '    case "${COMP_WORDS[1]} ${COMP_WORDS[2]}" in',
    `      ${naming('cluster', 2).join('|')}) ${names('clusters')};;`,
    `      ${naming('instancegroup', 2).join('|')}) ${names('instancegroups')};;`,
    '    esac',
    '    case "${COMP_WORDS[1]}" in',
    `      ${naming('cluster', 1).join('|')}) ${names('clusters')};;`,
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
