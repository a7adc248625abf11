/**
 * A folder outside the workspace where a user installs packages with plain npm, runs the installed
 * `statestore` command, and where we look at what landed on disk.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loopbackEnv } from '@statestore/testkit/loopback';

/**
 * The environment of a user's shell: no npm_config_* / pnpm variables inherited from the test runner
 * (pnpm sets many; npm would read them as its own configuration), and no loopback guard (npm install
 * reaches the package registry). What runs Statestore takes `guardedUserEnv` instead.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|VITEST|NODE_OPTIONS$|INIT_CWD$)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** `userEnv` plus the loopback guard: Statestore run as a user would, but unable to leave 127.0.0.1. */
export function guardedUserEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return userEnv({ ...loopbackEnv({}), ...extra });
}

/** `npm install` of the given tarballs in one command, in a folder holding only a fresh package.json. */
export function npmInstall(folder: string, tarballs: string[]): { seconds: number; output: string } {
  writeFileSync(path.join(folder, 'package.json'), `${JSON.stringify({ name: 'clean-install', version: '1.0.0', private: true }, null, 2)}\n`);
  const start = Date.now();
  const output = execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs], {
    cwd: folder,
    env: userEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { seconds: (Date.now() - start) / 1000, output };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the installed `statestore` command (node_modules/.bin/statestore) in the folder. */
export function statestore(folder: string, args: string[], env: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(path.join(folder, 'node_modules', '.bin', 'statestore'), args, { cwd: folder, env: guardedUserEnv(env), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface InstalledPackage {
  name: string;
  version: string;
  /** Path relative to the folder. */
  dir: string;
}

/** Every package folder under node_modules, nested ones included. */
export function installedPackages(folder: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  const visit = (nodeModules: string) => {
    if (!existsSync(nodeModules)) return;
    for (const entry of readdirSync(nodeModules)) {
      if (entry.startsWith('.')) continue;
      const dirs = entry.startsWith('@') ? readdirSync(path.join(nodeModules, entry)).map((e) => path.join(nodeModules, entry, e)) : [path.join(nodeModules, entry)];
      for (const dir of dirs) {
        const manifest = path.join(dir, 'package.json');
        if (existsSync(manifest)) {
          const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
          out.push({ name: pkg.name ?? path.basename(dir), version: pkg.version ?? '', dir: path.relative(folder, dir) });
        }
        visit(path.join(dir, 'node_modules'));
      }
    }
  };
  visit(path.join(folder, 'node_modules'));
  return out;
}

/** Where npm says each installed package came from (node_modules/.package-lock.json). */
export function resolvedFrom(folder: string): Map<string, string> {
  const lock = JSON.parse(readFileSync(path.join(folder, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
  return new Map(Object.entries(lock.packages).map(([dir, p]) => [dir, p.resolved ?? '']));
}

/** `npm --version`, for the log. */
export function npmVersion(): string {
  return execFileSync('npm', ['--version'], { env: userEnv(), encoding: 'utf8' }).trim();
}
