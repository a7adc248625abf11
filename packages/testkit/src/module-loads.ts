/**
 * Which modules a program loads: runs it in a child Node process with a loader hook that records every
 * ES module it resolves (and, for `modulesLoadedBy`, every CommonJS file in require's cache when it exits),
 * and returns them as URLs. Used to prove that a cloud SDK is imported only on first use (and never for
 * file:// or memfs://), and which parts of core a CLI command loads.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ModuleLoads {
  /** URLs of every module the script resolved, in order. */
  resolved: string[];
  /** What the script printed on stdout. */
  stdout: string;
}

/** Writes the recorder into `dir`: the `--import` flag that loads it, and the log it writes to. */
function recorder(dir: string, withCommonJs: boolean): { importFlag: string; log: string } {
  const log = path.join(dir, 'resolved.log');
  writeFileSync(log, '');
  writeFileSync(
    path.join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`,
  );
  // CommonJS files required by a CommonJS package (yaml, https-proxy-agent, most of @smithy) never reach
  // the resolve hook; require's cache holds them all when the process exits.
  const commonJs = withCommonJs
    ? `import { appendFileSync } from 'node:fs'; import { createRequire } from 'node:module'; import { pathToFileURL } from 'node:url';
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).map((f) => pathToFileURL(f).href + '\\n').join('')));`
    : '';
  writeFileSync(
    path.join(dir, 'register.mjs'),
    `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n${commonJs}\n`,
  );
  return { importFlag: `--import=${pathToFileURL(path.join(dir, 'register.mjs')).href}`, log };
}

/** The ES modules an ES-module script resolves (it must exit 0). */
export function modulesResolvedBy(script: string, cwd: string): ModuleLoads {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'statestore-module-loads-'));
  try {
    const { importFlag, log } = recorder(dir, false);
    const stdout = execFileSync(process.execPath, [importFlag, '--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
    return { resolved: readFileSync(log, 'utf8').split('\n').filter(Boolean), stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ProgramLoads {
  /** URLs of every module loaded, ES modules and CommonJS files, each once, in first-seen order. */
  modules: string[];
  /** Exit code (-1 when killed by a signal). */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node ...args` (e.g. a CLI's bin and its arguments) and returns every module it loaded. */
export function modulesLoadedBy(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ProgramLoads {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'statestore-module-loads-'));
  try {
    const { importFlag, log } = recorder(dir, true);
    const r = spawnSync(process.execPath, [importFlag, ...args], { cwd: options.cwd ?? dir, env: options.env ?? process.env, encoding: 'utf8' });
    if (r.error) throw r.error;
    const modules = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
    return { modules, code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
