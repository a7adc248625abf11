/**
 * What a running command gets: its parsed options, the terminal, and helpers for the things most
 * commands do (find the state store and cluster name the kops way, open URLs, print in the asked format).
 */
import { fileURLToPath } from 'node:url';
import {
  ClusterRegistry,
  Operation,
  PluginRegistry,
  defaultSearchRoots,
  collectAttribution,
  historyModeFromEnv,
  isInvalidConfig,
  locateStateStore,
  redactSecrets,
  resolvePath,
  safeForMessage,
  settledCapabilities,
  type Logger,
  type StateStoreLocation,
  type VfsPath,
} from '@statestore/core';
import { stringOption, type ParsedArgs } from './command.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

export interface RunOptions {
  /** Plugin registry (tests register plugins in-process; default: discovered from package.json files). */
  registry?: PluginRegistry;
}

/** This CLI's package folder: backends installed next to it are found from here (and from core's folder). */
const CLI_FOLDER = fileURLToPath(new URL('..', import.meta.url));

/** What was run: its whole command line, and whether it changes the store. */
export interface Invocation {
  argv: readonly string[];
  mutating: boolean;
}

export class CommandContext {
  private location: StateStoreLocation | undefined;
  private storePath: VfsPath | undefined;
  private discovered: PluginRegistry | undefined;
  private journal: Promise<Operation | undefined> | undefined;
  readonly verbosity: number;
  readonly logger: Logger;

  constructor(
    readonly io: Io,
    readonly args: ParsedArgs,
    readonly options: RunOptions,
    readonly invocation: Invocation = { argv: [], mutating: false },
  ) {
    const v = stringOption(args, 'v');
    if (v !== undefined && !/^\d+$/.test(v)) throw new UsageError(`-v takes a number (0–9), not ${JSON.stringify(v)}`);
    this.verbosity = Number(v ?? io.env.STATESTORE_VERBOSITY ?? 0);
    if (v !== undefined) process.env.STATESTORE_VERBOSITY = v;
    this.logger = { log: (level, message) => this.log(level, message) };
  }

  get env(): NodeJS.ProcessEnv {
    return this.io.env;
  }

  /** Writes to stdout. */
  out(text: string): void {
    this.io.stdout.write(text);
  }

  /** A notice on stderr when `level` ≤ the -v level (0 is always shown); credentials in it are redacted. */
  log(level: number, message: string): void {
    if (level <= this.verbosity) this.io.stderr.write(`${redactSecrets(message)}\n`);
  }

  warn(message: string): void {
    this.io.stderr.write(`${this.paint('33', 'warning:')} ${redactSecrets(message)}\n`);
  }

  /** ANSI colour when stdout is a terminal and NO_COLOR is unset. */
  paint(code: string, text: string): string {
    return this.io.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  /** The -o value, or the command's default. */
  output(fallback: string): string {
    return stringOption(this.args, 'output') ?? fallback;
  }

  json(value: unknown): void {
    this.out(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * The plugins: those installed next to the CLI or core, in $STATESTORE_PLUGIN_PATH, and in the working
   * folder only when $STATESTORE_WORKDIR_PLUGINS is set (each named on stderr before it loads).
   */
  get registry(): PluginRegistry {
    return (this.discovered ??=
      this.options.registry ?? new PluginRegistry(() => defaultSearchRoots({ cwd: this.io.cwd, env: this.env, nextTo: [CLI_FOLDER] }), { notice: (m) => this.warn(m) }));
  }

  /** Where the state store is (kops's priority); a missing one is a usage error naming the four places. */
  stateStore(): StateStoreLocation {
    if (this.location) return this.location;
    try {
      this.location = locateStateStore({
        flag: stringOption(this.args, 'state'),
        configFile: stringOption(this.args, 'config'),
        env: this.env,
      });
    } catch (e) {
      if (isInvalidConfig(e) && /No state store/.test((e as Error).message)) throw new UsageError((e as Error).message);
      throw e;
    }
    for (const w of this.location.warnings) this.warn(w);
    this.log(2, `state store ${safeForMessage(this.location.url)} (from ${this.location.file ?? this.location.source})`);
    return this.location;
  }

  /**
   * Opens a URL or local path (relative paths against the working folder). For a mutating command, a path
   * inside the state store journals its writes as this command's revision (`operation`).
   */
  async open(url: string): Promise<VfsPath> {
    const path = await this.resolve(url);
    const operation = await this.operation();
    return operation ? operation.track(path) : path;
  }

  private resolve(url: string): Promise<VfsPath> {
    return resolvePath(url, { registry: this.registry, env: this.env, cwd: this.io.cwd, logger: this.logger });
  }

  /**
   * The revision this command's writes in the state store are journaled as, attributed to this process (OS user
   * and host, git email, $STATESTORE_ACTOR, the command line, -m) and following $STATESTORE_HISTORY. Undefined
   * for commands that only read, and when no state store is configured (e.g. `cp` between two other places).
   */
  operation(): Promise<Operation | undefined> {
    this.journal ??= (async () => {
      if (!this.invocation.mutating) return undefined;
      let url: string;
      try {
        url = this.stateStore().url;
      } catch {
        return undefined; // no state store to journal in (`cp` between two other places needs none)
      }
      const message = stringOption(this.args, 'message');
      const history = historyModeFromEnv(this.env);
      return new Operation(await this.resolve(url), {
        attribution: () => collectAttribution({ env: this.env, argv: ['statestore', ...this.invocation.argv], cwd: this.io.cwd, ...(message !== undefined ? { message } : {}) }),
        ...(history ? { history } : {}),
        logger: this.logger,
      });
    })();
    return this.journal;
  }

  /** The state store root. */
  async openStore(): Promise<VfsPath> {
    if (!this.storePath) this.storePath = await this.open(this.stateStore().url);
    return this.storePath;
  }

  /** The clusters of the state store (locations elsewhere, e.g. a key store, opened like the store). */
  async clusters(): Promise<ClusterRegistry> {
    return new ClusterRegistry(await this.openStore(), { open: (url) => this.open(url) });
  }

  /**
   * The cluster name: `--name` (or $KOPS_CLUSTER_NAME), else the positional argument; both given and
   * different is an error, as in kops.
   */
  clusterName(positional: string | undefined, required = true): string {
    const flag = stringOption(this.args, 'name') ?? (this.env.KOPS_CLUSTER_NAME || undefined);
    if (flag && positional && flag !== positional) {
      throw new UsageError(`cannot specify cluster via --name (or KOPS_CLUSTER_NAME) and as a positional argument: ${flag} vs ${positional}`);
    }
    const name = positional ?? flag;
    if (!name && required) throw new UsageError('--name is required: give the cluster name as an argument, with --name, or in $KOPS_CLUSTER_NAME');
    return name ?? '';
  }

  /** Before a write: warns when the backend cannot create files atomically (two creators could both win). */
  async warnIfNoAtomicCreate(path: VfsPath): Promise<void> {
    const caps = await settledCapabilities(path.backend, { key: path.key ? `${path.key}/` : '' });
    if (caps.atomicCreate) return;
    this.warn(
      `${safeForMessage(path.toString())}: this backend cannot create files atomically, so two writers creating the same file at the same moment could both succeed. ` +
        `${caps.notes?.join(' ') ?? ''}`.trim(),
    );
  }
}
