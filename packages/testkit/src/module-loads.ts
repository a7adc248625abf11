/**
 * Which modules a program loads: runs an ES-module script in a child Node process with a loader hook
 * that records every module it resolves, and returns their URLs. Used to prove that a cloud SDK is
 * imported only on first use (and never for file:// or memfs://).
 */
import { execFileSync } from 'node:child_process';
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

export function modulesResolvedBy(script: string, cwd: string): ModuleLoads {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'statestore-module-loads-'));
  try {
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
    writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});`);
    const stdout = execFileSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, '--input-type=module', '-e', script], {
      cwd,
      encoding: 'utf8',
    });
    return { resolved: readFileSync(log, 'utf8').split('\n').filter(Boolean), stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
