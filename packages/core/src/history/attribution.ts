/**
 * history/attribution owns who a revision is attributed to: the OS user and host, `git config user.email` when
 * git is there and has one (run with a short timeout; a missing or slow git is no error), $STATESTORE_ACTOR
 * (CI jobs and bots say who they are), the command line with secrets redacted, and the message (`-m`).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { redactSecrets } from '../errors/redact.js';
import type { Attribution } from './journal-entry.js';

export const ACTOR_ENV = 'STATESTORE_ACTOR';

export interface AttributionSources {
  env?: NodeJS.ProcessEnv;
  /** The command line, program name first (e.g. `['statestore', 'set', 'cluster', …]`). */
  argv?: readonly string[];
  /** Where git looks for its configuration (default the process's working folder). */
  cwd?: string;
  message?: string;
  /** How long git may take (default 2 s). */
  gitTimeoutMs?: number;
}

/** Attribution of the current process. Never fails: what cannot be found is left out. */
export async function collectAttribution(sources: AttributionSources = {}): Promise<Attribution> {
  const env = sources.env ?? process.env;
  const email = await gitEmail(env, sources.cwd, sources.gitTimeoutMs ?? 2_000);
  const actor = env[ACTOR_ENV]?.trim();
  return {
    ...optional('user', osUser(env)),
    ...optional('host', safe(() => os.hostname())),
    ...optional('email', email),
    ...optional('actor', actor),
    ...optional('command', sources.argv ? redactCommandLine(sources.argv, env) : undefined),
    ...optional('message', sources.message),
  };
}

/** How a revision's author is shown: the actor, else the git email, else user@host. */
export function describeAuthor(a: Attribution | undefined): string {
  if (!a) return '';
  if (a.actor) return a.actor;
  if (a.email) return a.email;
  return [a.user, a.host].filter(Boolean).join('@');
}

const SECRET_NAME = /(password|passwd|secret|token|credential|private[-_]?key|access[-_]?key)/i;

/**
 * The command line as one shell-quoted string with secrets replaced by `***`: core's redaction (secret
 * variables' values, credentials in URLs, signatures), plus the value of any `NAME=VALUE` argument or
 * `--flag VALUE` pair whose name looks like a secret (password, secret, token, credential, private key).
 */
export function redactCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = redactSecrets(argv[i]!, env);
    const assignment = /^([^=\s]+)=/.exec(arg);
    if (assignment && SECRET_NAME.test(assignment[1]!)) arg = `${assignment[1]}=***`;
    out.push(arg);
    if (/^--?[\w-]+$/.test(arg) && SECRET_NAME.test(arg) && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) {
      out.push('***');
      i++;
    }
  }
  return out.map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function osUser(env: NodeJS.ProcessEnv): string | undefined {
  return safe(() => os.userInfo().username) || env.USER || env.LOGNAME || env.USERNAME || undefined;
}

function gitEmail(env: NodeJS.ProcessEnv, cwd: string | undefined, timeout: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      execFile('git', ['config', '--get', 'user.email'], { env, timeout, windowsHide: true, ...(cwd ? { cwd } : {}) }, (error, stdout) => {
        const email = String(stdout ?? '').trim();
        resolve(error || email === '' ? undefined : email);
      });
    } catch {
      resolve(undefined);
    }
  });
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function optional<K extends keyof Attribution>(key: K, value: string | undefined): Partial<Attribution> {
  return value ? { [key]: value } : {};
}
