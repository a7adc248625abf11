/**
 * `statestore lock run CLUSTER -- COMMAND...`: holds the cluster's lease while an outside command runs (e.g.
 * `kops update cluster --yes`): renews it, forwards SIGINT and SIGTERM to the command, releases the lease
 * when the command exits and passes its exit code through. If the lease is lost (broken by hand, or not
 * renewable in time), the command is stopped (SIGTERM, SIGKILL 10 s later) and the exit code is 3. The
 * command gets STATESTORE_LEASE=<id>, so statestore commands it runs on the same cluster join the lease
 * instead of waiting for it.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { redactSecrets, type HeldLease } from '@statestore/core';
import { LEASE_ENV } from '@statestore/core/config';
import { LOCK_TIMEOUT_OPTION, type CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT_LEASE_LOST, UsageError } from '../errors.js';
import { shellQuote } from '../kops-binary.js';

const KILL_AFTER_MS = 10_000;

export const command: CommandSpec = {
  name: 'lock run',
  usage: 'lock run CLUSTER [--lock-timeout DURATION] -- COMMAND [ARG...]',
  summary: "Run a command while holding a cluster's lease.",
  description: [
    "Waits for the cluster's lease (up to --lock-timeout, default 60s), runs COMMAND with STATESTORE_LEASE set to the lease's",
    'id (statestore commands it runs on the same cluster join the lease), renews the lease while COMMAND runs, forwards',
    'SIGINT and SIGTERM to it, and releases the lease when it exits. Other operators see the command in `statestore lock list`.',
    '',
    "Exit code: COMMAND's own (128+N when a signal N ended it); 3 when the lease was lost while COMMAND ran (someone",
    'ran `statestore unlock --force`, or renewals failed for two thirds of its time-to-live): COMMAND is then sent SIGTERM',
    '(SIGKILL 10 s later); 1 when the lease could not be taken or COMMAND could not be started; 2 for usage errors.',
  ].join('\n'),
  examples: ['statestore lock run demo.example.com -- kops update cluster --name demo.example.com --yes', "statestore lock run demo.example.com --lock-timeout 5m -- sh -c 'kops update cluster --yes && kops rolling-update cluster --yes'"],
  options: { 'lock-timeout': LOCK_TIMEOUT_OPTION },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const [positional, ...argv] = ctx.args.positionals;
  if (!positional || argv.length === 0) throw new UsageError('give the cluster and, after --, the command to run: statestore lock run CLUSTER -- COMMAND [ARG...]');
  const cluster = ctx.clusterName(positional);
  const shown = redactSecrets(argv.map(shellQuote).join(' '), ctx.env).slice(0, 300);
  // A signal while waiting gives the place in line up cleanly; once the command runs, it is the command's.
  const waiting = new AbortController();
  const stopWaiting = () => waiting.abort(new Error('interrupted while waiting for the lease'));
  process.once('SIGINT', stopWaiting);
  process.once('SIGTERM', stopWaiting);
  try {
    return await ctx.withClusterLease(
      cluster,
      async (lease) => {
        process.off('SIGINT', stopWaiting);
        process.off('SIGTERM', stopWaiting);
        return runHolding(ctx, lease, argv);
      },
      { command: `statestore lock run ${cluster} -- ${shown}`, signal: waiting.signal },
    );
  } finally {
    process.off('SIGINT', stopWaiting);
    process.off('SIGTERM', stopWaiting);
  }
}

/** Runs the command; resolves with the exit code to pass on. */
async function runHolding(ctx: CommandContext, lease: HeldLease, argv: string[]): Promise<number> {
  const toTerminal = ctx.io.stdout === process.stdout && ctx.io.stderr === process.stderr;
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ctx.io.cwd,
    env: { ...ctx.env, [LEASE_ENV]: lease.record.id },
    stdio: toTerminal ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  if (!toTerminal) {
    child.stdout!.on('data', (chunk: Buffer) => ctx.io.stdout.write(chunk));
    child.stderr!.on('data', (chunk: Buffer) => ctx.io.stderr.write(chunk));
  }
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let lost = false;
  let killTimer: NodeJS.Timeout | undefined;
  const onLost = () => {
    lost = true;
    ctx.log(0, `statestore lock run: ${(lease.lost.reason as Error).message}; stopping ${shellQuote(argv[0]!)} (SIGTERM)`);
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS).unref();
  };
  lease.lost.addEventListener('abort', onLost, { once: true });
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', (e) => reject(new Error(`Cannot run ${shellQuote(argv[0]!)}: ${e.message}`)));
      child.once('close', (c, s) => resolve({ code: c, signal: s }));
    });
    if (lost) return EXIT_LEASE_LOST;
    return code ?? 128 + (signal ? constants.signals[signal] : 0);
  } finally {
    lease.lost.removeEventListener('abort', onLost);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (killTimer) clearTimeout(killTimer);
  }
}
