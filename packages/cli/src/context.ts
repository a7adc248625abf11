/**
 * What a running command gets: its parsed options, the terminal, and helpers for the things most
 * commands do (find the state store and cluster name the kops way, open URLs, print in the asked format).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Operation, PluginRegistry, defaultSearchRoots, observeRequests, collectAttribution, historyModeFromEnv, redactSecrets, resolvePath, safeForMessage, sharedMemfs, settledCapabilities, type HeldLease, type HistoryLocation, type Logger, type RequestEvent, type RequestLogger, type VfsPath } from '@statestore/core';
import { ClusterRegistry, LEASE_ENV, STATE_STORE_HELP, findStateStore, parseGoDuration, withClusterLease, type StateStoreLocation } from '@statestore/core/config';
import { stringOption, type ParsedArgs } from './command.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

/** The -v level at which every HTTP request is logged (kops: 4 and up show more of each request). */
const REQUEST_LEVEL = 4;

/** The -v value (a whole number), else $STATESTORE_VERBOSITY, else 0. */
function verbosityOf(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  if (flag !== undefined && !/^\d+$/.test(flag)) throw new UsageError(`-v takes a number (0–9), not ${JSON.stringify(flag)}`);
  const fromEnv = env.STATESTORE_VERBOSITY;
  return Number(flag ?? (fromEnv && /^\d+$/.test(fromEnv) ? fromEnv : 0));
}

/** `GET https://host/bucket/key → 200 in 12 ms (retry 1)`: one request, as -v 4 prints it. */
function requestLine(event: RequestEvent): string {
  const outcome = event.status !== undefined ? String(event.status) : `no answer (${event.error ?? 'unknown error'})`;
  return `${event.method} ${event.url} → ${outcome} in ${event.durationMs} ms${event.attempt > 1 ? ` (retry ${event.attempt - 1})` : ''}`;
}

export interface RunOptions {
  /** Plugin registry (tests register plugins in-process; default: discovered from package.json files). */
  registry?: PluginRegistry;
  /**
   * The process ends with this command (the `statestore` executable): what it wrote to memfs:// is gone, and
   * it says so; nothing an SDK left open keeps the process alive past a short grace.
   */
  processEndsWithCommand?: boolean;
}

/** This CLI's package folder: backends installed next to it are found from here (and from core's folder). */
const CLI_FOLDER = fileURLToPath(new URL('..', import.meta.url));

/** What was run: its whole command line, and whether it changes the store. */
export interface Invocation {
  argv: readonly string[];
  mutating: boolean;
  /** The command's words (e.g. `set cluster`), for the lease record other operators read. */
  name?: string;
}

export class CommandContext {
  private location: StateStoreLocation | undefined;
  private storePath: VfsPath | undefined;
  private discovered: PluginRegistry | undefined;
  private usedMemfs = false;
  /** The -v level (else $STATESTORE_VERBOSITY, else 0); it reaches core through `logger`, never through process.env. */
  private journal: Promise<Operation | undefined> | undefined;
  private history: Promise<HistoryLocation> | undefined;
  readonly verbosity: number;
  readonly logger: Logger;
  /** At -v 4 and above: one line per HTTP request of every store this command opens. */
  readonly requestLogger: RequestLogger | undefined;

  constructor(
    readonly io: Io,
    readonly args: ParsedArgs,
    readonly options: RunOptions,
    readonly invocation: Invocation = { argv: [], mutating: false },
  ) {
    this.verbosity = verbosityOf(stringOption(args, 'v'), io.env);
    this.logger = { log: (level, message) => this.log(level, message) };
    this.requestLogger = this.verbosity >= REQUEST_LEVEL ? (event) => this.log(REQUEST_LEVEL, requestLine(event)) : undefined;
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

  /**
   * Where the state store is (kops's priority); none given is a usage error naming the four places, a
   * config file that cannot be read an error naming it.
   */
  stateStore(): StateStoreLocation {
    if (this.location) return this.location;
    const configFile = stringOption(this.args, 'config');
    this.location = findStateStore({ flag: stringOption(this.args, 'state'), configFile: configFile && path.resolve(this.io.cwd, configFile), env: this.env });
    if (!this.location) throw new UsageError(`No state store given. ${STATE_STORE_HELP}`);
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

  /** A URL or local path opened with the lease settings of the environment and this command's loggers. */
  private async resolve(url: string): Promise<VfsPath> {
    const ttl = this.durationFromEnv('STATESTORE_LEASE_TTL');
    const settle = this.durationFromEnv('STATESTORE_LEASE_SETTLE');
    const path = await resolvePath(url, {
      registry: this.registry,
      env: this.env,
      cwd: this.io.cwd,
      logger: this.logger,
      requestLogger: this.requestLogger,
      ...(ttl !== undefined ? { lockLeaseMs: ttl } : {}),
      ...(settle !== undefined ? { leaseSettleMs: settle } : {}),
    });
    if (path.toString().startsWith('memfs:')) this.usedMemfs = true;
    return path;
  }

  /**
   * When the process ends with the command (the executable) and it wrote to memfs://: a warning that
   * what it wrote is gone, since memfs:// lives in the process's memory.
   */
  async warnIfMemfsForgets(): Promise<void> {
    if (!this.options.processEndsWithCommand || !this.usedMemfs) return;
    if ((await sharedMemfs().list('', { pageSize: 1 })).objects.length === 0) return;
    this.warn("memfs:// is kept in this process's memory only: what this command wrote there is gone now that it exits. Use file:///PATH (or a bucket) to keep files.");
  }

  /** A Go duration (`30s`, `500ms`) from an environment variable, in ms; undefined when unset. */
  private durationFromEnv(name: string): number | undefined {
    const text = this.env[name];
    if (text === undefined || text === '') return undefined;
    return this.duration(text, `$${name}`);
  }

  /** A duration given by the user, in ms: a Go duration (`60s`, `2m`, `0`), never negative. */
  duration(text: string, what: string): number {
    let ns: number;
    try {
      ns = parseGoDuration(text);
    } catch {
      throw new UsageError(`${what} must be a duration such as 60s, 2m or 0, not ${JSON.stringify(text)}`);
    }
    if (ns < 0) throw new UsageError(`${what} cannot be negative (${text})`);
    return Math.ceil(ns / 1e6);
  }

  /**
   * Runs `fn` holding the lease of `cluster` (in `store`, default the state store): waits for another
   * operator up to --lock-timeout (default 60 s), or joins the lease named by $STATESTORE_LEASE when it is
   * this cluster's. The lease record names this command and the cluster (never its other arguments, which
   * may hold values other operators should not read).
   */
  async withClusterLease<T>(cluster: string, fn: (lease: HeldLease) => Promise<T>, options: { store?: VfsPath; command?: string; signal?: AbortSignal } = {}): Promise<T> {
    const timeout = stringOption(this.args, 'lock-timeout');
    const store = options.store ?? (await this.openStore());
    return withClusterLease(
      store,
      cluster,
      {
        command: options.command ?? ['statestore', this.invocation.name, cluster].filter(Boolean).join(' '),
        ...(timeout !== undefined ? { waitMs: this.duration(timeout, '--lock-timeout') } : {}),
        ...(this.env[LEASE_ENV] ? { joinId: this.env[LEASE_ENV] } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        logger: this.logger,
      },
      fn,
    );
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
        ...(await this.historyLocation()),
        attribution: () => collectAttribution({ env: this.env, argv: ['statestore', ...this.invocation.argv], cwd: this.io.cwd, ...(message !== undefined ? { message } : {}) }),
        ...(history ? { history } : {}),
        logger: this.logger,
      });
    })();
    return this.journal;
  }

  /**
   * Where the state store's history is kept: the history store given with --history-store (used when the store
   * records none, and recorded by the first write), and how to open the one the store records.
   */
  historyLocation(): Promise<HistoryLocation> {
    this.history ??= (async () => {
      const url = stringOption(this.args, 'history-store');
      // Opened as themselves: the journal's own writes are never journaled.
      return { ...(url !== undefined ? { historyStore: await this.resolve(url) } : {}), open: (recorded: string) => this.resolve(recorded) };
    })();
    return this.history;
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

  /** The cluster of a command that takes at most one positional argument: that argument, or --name. */
  onlyClusterName(): string {
    const [positional, ...extra] = this.args.positionals;
    if (extra.length > 0) throw new UsageError(`expected one cluster name, got ${this.args.positionals.join(' ')}`);
    return this.clusterName(positional);
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

  /**
   * Runs `fn` holding the leases of several clusters (of the state store, or of the store given with each),
   * taken one after the other in one global order (store URL, then name), so that two commands that need
   * the same two leases never wait for each other.
   */
  async withClusterLeases<T>(targets: readonly { cluster: string; store?: VfsPath }[], fn: () => Promise<T>): Promise<T> {
    const keyed = await Promise.all(targets.map(async (t) => ({ ...t, store: t.store ?? (await this.openStore()) })));
    const sorted = keyed
      .map((t) => ({ ...t, key: `${t.store.toString()}\n${t.cluster}` }))
      .filter((t, i, all) => all.findIndex((o) => o.key === t.key) === i)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const take = (i: number): Promise<T> => (i === sorted.length ? fn() : this.withClusterLease(sorted[i]!.cluster, () => take(i + 1), { store: sorted[i]!.store }));
    return take(0);
  }

  /** Before a write: warns when the backend cannot create files atomically (two creators could both win). */
  async warnIfNoAtomicCreate(path: VfsPath): Promise<void> {
    const caps = await observeRequests(this.requestLogger, 1, () => settledCapabilities(path.backend, { key: path.key ? `${path.key}/` : '' }));
    if (caps.atomicCreate) return;
    this.warn(
      `${safeForMessage(path.toString())}: this backend cannot create files atomically, so two writers creating the same file at the same moment could both succeed. ` +
        `${caps.notes?.join(' ') ?? ''}`.trim(),
    );
  }
}
