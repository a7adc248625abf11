/**
 * Every command, by the words that select it, with a one-line summary for `statestore --help` and a
 * loader that imports its module only when it runs. Add a command here and in commands/.
 */
import { withMutatingOptions, type CommandSpec } from './command.js';

export interface CommandEntry {
  /** Words that select the command, e.g. ['create', 'cluster']. */
  words: readonly string[];
  /** Other spellings (kops's singular/plural and short forms). */
  aliases?: readonly (readonly string[])[];
  summary: string;
  load(): Promise<{ command: CommandSpec }>;
  /** Groups in `statestore --help` (`hidden`: not listed). */
  group: 'cluster' | 'store' | 'tool' | 'hidden';
  /** What its positional arguments name, for shell completion: a stored cluster or instance group. */
  completes?: 'cluster' | 'instancegroup';
  /**
   * The command changes the store: it takes `-m/--message`, and its writes inside the state store's cluster
   * folders are journaled as one revision (history). Commands that only read never write.
   */
  mutating?: true;
}

export const COMMANDS: readonly CommandEntry[] = [
  { words: ['create', 'cluster'], mutating: true, group: 'cluster', summary: 'Create a cluster configuration, or merge options into an existing one', load: () => import('./commands/create-cluster.js') },
  { words: ['get', 'clusters'], completes: 'cluster', aliases: [['get', 'cluster']], group: 'cluster', summary: 'List clusters, or print one as YAML or JSON', load: () => import('./commands/get-clusters.js') },
  { words: ['edit', 'cluster'], mutating: true, completes: 'cluster', group: 'cluster', summary: 'Edit a cluster in $EDITOR (or with --set/--unset)', load: () => import('./commands/edit-cluster.js') },
  { words: ['set', 'cluster'], mutating: true, completes: 'cluster', group: 'cluster', summary: 'Set cluster fields by kops field path', load: () => import('./commands/set-cluster.js') },
  { words: ['unset', 'cluster'], mutating: true, completes: 'cluster', group: 'cluster', summary: 'Unset cluster fields by kops field path', load: () => import('./commands/unset-cluster.js') },
  { words: ['get', 'all'], completes: 'cluster', group: 'cluster', summary: 'Show a cluster, its instance groups and addon objects (-o yaml: manifests for plan/apply)', load: () => import('./commands/get-all.js') },
  { words: ['plan'], group: 'cluster', summary: "Show what applying a cluster's manifests would change (--detailed-exitcode for CI)", load: () => import('./commands/plan.js') },
  { words: ['apply'], mutating: true, group: 'cluster', summary: 'Carry out a saved plan, or apply manifests with --yes (stale plans refused)', load: () => import('./commands/apply.js') },
  { words: ['replace'], mutating: true, group: 'cluster', summary: 'Replace clusters and instance groups from YAML files', load: () => import('./commands/replace.js') },
  { words: ['delete', 'cluster'], mutating: true, completes: 'cluster', group: 'cluster', summary: "Delete a cluster's state (never cloud resources)", load: () => import('./commands/delete-cluster.js') },
  { words: ['update', 'cluster'], completes: 'cluster', group: 'cluster', summary: 'Review a cluster before kops builds it; --yes runs kops update cluster --yes', load: () => import('./commands/update-cluster.js') },
  {
    words: ['get', 'instancegroups'],
    aliases: [['get', 'instancegroup'], ['get', 'ig'], ['get', 'igs']],
    completes: 'instancegroup',
    group: 'cluster',
    summary: 'List instance groups of a cluster',
    load: () => import('./commands/get-instancegroups.js'),
  },
  { words: ['create', 'instancegroup'], mutating: true, aliases: [['create', 'ig']], group: 'cluster', summary: 'Create an instance group', load: () => import('./commands/create-instancegroup.js') },
  { words: ['edit', 'instancegroup'], mutating: true, completes: 'instancegroup', aliases: [['edit', 'ig']], group: 'cluster', summary: 'Edit an instance group in $EDITOR (or with --set/--unset)', load: () => import('./commands/edit-instancegroup.js') },
  { words: ['delete', 'instancegroup'], mutating: true, completes: 'instancegroup', aliases: [['delete', 'ig']], group: 'cluster', summary: "Delete an instance group's state", load: () => import('./commands/delete-instancegroup.js') },
  { words: ['export'], completes: 'cluster', group: 'cluster', summary: "Copy a cluster's state to another place (e.g. file:///dir) for review", load: () => import('./commands/export.js') },
  { words: ['history'], completes: 'cluster', group: 'cluster', summary: "List a cluster's revisions: who changed what, when and why (--file, -o json)", load: () => import('./commands/history.js') },
  { words: ['history', 'prune'], completes: 'cluster', group: 'cluster', summary: "Remove a cluster's oldest revisions from the history journal (--keep N, --older-than)", load: () => import('./commands/history-prune.js') },
  { words: ['history', 'diff'], completes: 'cluster', group: 'cluster', summary: 'Show what changed between two revisions of a cluster, field by field', load: () => import('./commands/history-diff.js') },
  { words: ['rollback'], mutating: true, completes: 'cluster', group: 'cluster', summary: 'Bring a cluster back to an earlier revision (as a new revision; --dry-run)', load: () => import('./commands/rollback.js') },
  { words: ['undelete'], mutating: true, completes: 'cluster', group: 'cluster', summary: 'Bring back a deleted cluster (or what the newest deletion removed) from the history', load: () => import('./commands/undelete.js') },
  { words: ['migrate'], completes: 'cluster', group: 'cluster', summary: 'Move a cluster to another state store: copy, rewrite configBase, verify', load: () => import('./commands/migrate.js') },
  { words: ['lock', 'run'], completes: 'cluster', group: 'cluster', summary: "Run a command while holding a cluster's lease (e.g. kops update cluster --yes)", load: () => import('./commands/lock-run.js') },
  { words: ['lock', 'list'], group: 'cluster', summary: 'List the cluster leases of the state store', load: () => import('./commands/lock-list.js') },
  { words: ['lock', 'status'], completes: 'cluster', group: 'cluster', summary: "Show who holds a cluster's lease", load: () => import('./commands/lock-status.js') },
  { words: ['unlock'], completes: 'cluster', group: 'cluster', summary: "Break a cluster's lease (by its id, or --force)", load: () => import('./commands/unlock.js') },
  { words: ['sync'], mutating: true, group: 'store', summary: 'Make DST hold exactly what SRC holds (any two backends; resumable)', load: () => import('./commands/sync.js') },
  { words: ['diff'], group: 'store', summary: 'Show what differs between two folders, with a YAML-aware diff of cluster objects', load: () => import('./commands/diff.js') },
  { words: ['ls'], group: 'store', summary: 'List files under a URL', load: () => import('./commands/ls.js') },
  { words: ['cat'], group: 'store', summary: 'Print files', load: () => import('./commands/cat.js') },
  { words: ['cp'], mutating: true, group: 'store', summary: 'Copy files, also between backends', load: () => import('./commands/cp.js') },
  { words: ['rm'], mutating: true, group: 'store', summary: 'Remove files', load: () => import('./commands/rm.js') },
  { words: ['stat'], group: 'store', summary: "Show a file's size, version, time and hash", load: () => import('./commands/stat.js') },
  { words: ['doctor'], group: 'tool', summary: 'Check that a store is reachable, readable and writable', load: () => import('./commands/doctor.js') },
  { words: ['plugins'], group: 'tool', summary: 'List installed backends and the schemes they serve', load: () => import('./commands/plugins.js') },
  { words: ['completion'], group: 'tool', summary: 'Print a bash or zsh completion script', load: () => import('./commands/completion.js') },
  { words: ['version'], group: 'tool', summary: 'Print the version', load: () => import('./commands/version.js') },
  { words: ['__complete'], group: 'hidden', summary: 'Names for shell completion', load: () => import('./commands/complete-names.js') },
  { words: ['help'], group: 'tool', summary: "Show the commands, or one command's help", load: () => import('./commands/help.js') },
];

/** The entry selected by the leading words, and how many words it used. */
export function findCommand(words: readonly string[]): { entry: CommandEntry; used: number } | undefined {
  for (const length of [2, 1]) {
    if (words.length < length) continue;
    const head = words.slice(0, length);
    const entry = COMMANDS.find((c) => [c.words, ...(c.aliases ?? [])].some((w) => w.length === length && w.every((x, i) => x === head[i])));
    if (entry) return { entry, used: length };
  }
  return undefined;
}

/** The command's spec as it runs, is helped and completed: a mutating command also takes -m/--message. */
export async function loadCommand(entry: CommandEntry): Promise<CommandSpec> {
  return withMutatingOptions((await entry.load()).command, entry.mutating === true);
}
