/**
 * What a running command gets: its parsed options, the terminal, and helpers for the things most
 * commands do (find the state store and cluster name the kops way, open URLs, print in the asked format).
 */
import {
  ClusterRegistry,
  LEASE_ENV,
  PluginRegistry,
  getDefaultRegistry,
  isInvalidConfig,
  locateStateStore,
  parseGoDuration,
  resolvePath,
  safeForMessage,
  settledCapabilities,
  withClusterLease,
  type HeldLease,
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

export class CommandContext {
  private location: StateStoreLocation | undefined;
  private storePath: VfsPath | undefined;
  readonly verbosity: number;
  readonly logger: Logger;

  constructor(
    readonly io: Io,
    readonly args: ParsedArgs,
    readonly options: RunOptions,
    /** The command's words (e.g. `set cluster`), for the lease record other operators read. */
    readonly commandName = '',
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

  /** A notice on stderr when `level` ≤ the -v level (0 is always shown). */
  log(level: number, message: string): void {
    if (level <= this.verbosity) this.io.stderr.write(`${message}\n`);
  }

  warn(message: string): void {
    this.io.stderr.write(`${this.paint('33', 'warning:')} ${message}\n`);
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

  get registry(): PluginRegistry {
    return this.options.registry ?? getDefaultRegistry();
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

  /** Opens a URL or local path (relative paths against the working folder), with the lease settings of the environment. */
  async open(url: string): Promise<VfsPath> {
    const ttl = this.durationFromEnv('STATESTORE_LEASE_TTL');
    const settle = this.durationFromEnv('STATESTORE_LEASE_SETTLE');
    return resolvePath(url, {
      registry: this.registry,
      env: this.env,
      cwd: this.io.cwd,
      logger: this.logger,
      ...(ttl !== undefined ? { lockLeaseMs: ttl } : {}),
      ...(settle !== undefined ? { leaseSettleMs: settle } : {}),
    });
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
        command: options.command ?? ['statestore', this.commandName, cluster].filter(Boolean).join(' '),
        ...(timeout !== undefined ? { waitMs: this.duration(timeout, '--lock-timeout') } : {}),
        ...(this.env[LEASE_ENV] ? { joinId: this.env[LEASE_ENV] } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        logger: this.logger,
      },
      fn,
    );
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
    const caps = await settledCapabilities(path.backend, { key: path.key ? `${path.key}/` : '' });
    if (caps.atomicCreate) return;
    this.warn(
      `${safeForMessage(path.toString())}: this backend cannot create files atomically, so two writers creating the same file at the same moment could both succeed. ` +
        `${caps.notes?.join(' ') ?? ''}`.trim(),
    );
  }
}
