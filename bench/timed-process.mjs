/**
 * What the benchmarks that race Statestore against other tools share: finding rclone, running one tool as
 * its own process under /usr/bin/time (wall time from spawn to exit, client CPU, peak RSS), the
 * environment every tool gets, the median of repetitions, and the load average line.
 */
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/** rclone as installed by scripts/install-test-servers.sh (Debian's package, on PATH). */
export function rcloneBinary() {
  try {
    return execFileSync('sh', ['-c', 'command -v rclone'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('rclone is not installed: run bash scripts/install-test-servers.sh rclone');
  }
}

/**
 * The environment every tool runs with: ours, minus AWS_CA_BUNDLE (the local servers are plain HTTP, and
 * rclone refuses a CA bundle with its own transport).
 */
export const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'AWS_CA_BUNDLE'));

/**
 * Runs a command under /usr/bin/time with `env` on top of baseEnv; resolves with wall seconds, CPU seconds
 * (user + system) and peak RSS in MB; rejects with the end of its stderr when it exits non-zero.
 */
export function measure(command, argv, env = {}, cwd = undefined) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const proc = spawn('/usr/bin/time', ['-f', 'STATESTORE_BENCH_RSS_KB=%M STATESTORE_BENCH_CPU=%U+%S', command, ...argv], {
      env: { ...baseEnv, ...env },
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const kb = Number(/STATESTORE_BENCH_RSS_KB=(\d+)/.exec(stderr)?.[1]);
      const [user, system] = (/STATESTORE_BENCH_CPU=([\d.]+)\+([\d.]+)/.exec(stderr) ?? []).slice(1).map(Number);
      if (code !== 0) reject(new Error(`${path.basename(command)} ${argv.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      else resolve({ wall, cpu: user + system, rssMb: kb / 1024 });
    });
  });
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const fmt = (n, d = 2) => n.toFixed(d);
export const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
