/**
 * The lock that makes file://'s compare-and-swap (stat, compare, rename) exclusive across processes.
 *
 * Why it is safe without kernel locks (Node 20 has no flock):
 * - A lock file appears with its whole content at once (a finished temp file hard-linked to the lock name;
 *   link(2) fails if the name exists), so there is never an empty or half-written lock from this code.
 * - A lock is judged stale only when its holder is a process on this host whose pid is gone — never by
 *   age, so a slow or paused holder keeps its lock. A lock from another host (a shared file system) is
 *   never broken automatically: waiting ends with an error naming it. A lock whose content cannot be read
 *   at all (left by an older Statestore or a crash of the machine) is broken once it has stayed the same
 *   for two seconds on this process's clock.
 * - Breakers are serialised by a second file, the breaker, taken the same way; the breaker's holder removes
 *   the lock only if it still holds the very content judged stale. Nobody else removes a lock but its
 *   holder, and a holder removes only its own (content checked first). So a live holder's lock is never
 *   removed. The one remaining window: a breaker that dies while holding the breaker, and two waiters that
 *   clear it within the same millisecond.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { ConflictError } from '../../errors/errors.js';
import { sleep } from '../../retry/retry.js';
import { THIS_HOST, breakerPath, lockPath, ownerText, parseOwner, pidIsDead, tempPath } from './internal-files.js';

/** How long a waiter waits for a live holder before giving up with an error naming it. */
export const FILE_LOCK_WAIT_MS = 30_000;
const UNREADABLE_STALE_MS = 2_000;

/** Runs `fn` holding the lock of `target`. */
export async function withFileLock<T>(target: string, fileMode: number, fn: () => Promise<T>, waitMs = FILE_LOCK_WAIT_MS): Promise<T> {
  const lock = lockPath(target);
  const mine = ownerText(randomBytes(8).toString('hex'));
  const started = performance.now();
  let unreadable: { text: string; since: number } | undefined;
  for (;;) {
    if (await createWithContent(lock, mine, fileMode)) break;
    const text = await readIfExists(lock);
    if (text === undefined) continue; // released meanwhile: try again at once
    const owner = parseOwner(text);
    let stale = false;
    if (owner) stale = owner.host === THIS_HOST && pidIsDead(owner.pid);
    else {
      if (unreadable?.text !== text) unreadable = { text, since: performance.now() };
      stale = performance.now() - unreadable.since >= UNREADABLE_STALE_MS;
    }
    if (stale) {
      await breakLock(lock, breakerPath(target), text, fileMode);
      continue;
    }
    if (performance.now() - started > waitMs) {
      const who = owner ? (owner.host === THIS_HOST ? `process ${owner.pid} on this host` : `a process on another host (pid ${owner.pid})`) : 'an unknown writer';
      throw new ConflictError(
        `${target} is locked by ${who} for ${Math.round((performance.now() - started) / 1000)} s (lock file ${lock}). If that process is stuck, stop it; if it is gone, remove the lock file.`,
      );
    }
    await sleep(2 + Math.random() * 10);
  }
  try {
    return await fn();
  } finally {
    await removeIfMine(lock, mine);
  }
}

/** Creates `file` holding `text`, all at once; false when it already exists. */
async function createWithContent(file: string, text: string, mode: number): Promise<boolean> {
  const temp = tempPath(path.dirname(file));
  await fs.writeFile(temp, text, { flag: 'wx', mode });
  try {
    await fs.link(temp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await fs.unlink(temp).catch(() => undefined);
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Removes `file` if it still holds `text` (only its creator, alive, calls this for its own file). */
async function removeIfMine(file: string, text: string): Promise<void> {
  if ((await readIfExists(file).catch(() => undefined)) === text) await fs.unlink(file).catch(() => undefined);
}

/** Removes the lock if it still holds `staleText`, serialised with every other breaker by the breaker file. */
async function breakLock(lock: string, breaker: string, staleText: string, mode: number): Promise<void> {
  const mine = ownerText(randomBytes(8).toString('hex'));
  if (!(await createWithContent(breaker, mine, mode))) {
    const text = await readIfExists(breaker);
    const owner = parseOwner(text);
    if (text !== undefined && owner && owner.host === THIS_HOST && pidIsDead(owner.pid)) await clearDeadBreaker(breaker, text);
    else await sleep(1 + Math.random() * 4);
    return;
  }
  try {
    if ((await readIfExists(lock)) === staleText) await fs.unlink(lock).catch(() => undefined);
  } finally {
    await removeIfMine(breaker, mine);
  }
}

/** A breaker whose holder died: moved aside, and removed only if what was moved is that dead breaker. */
async function clearDeadBreaker(breaker: string, deadText: string): Promise<void> {
  const aside = tempPath(path.dirname(breaker));
  try {
    await fs.rename(breaker, aside);
  } catch {
    return;
  }
  if ((await readIfExists(aside)) !== deadText) await fs.link(aside, breaker).catch(() => undefined);
  await fs.unlink(aside).catch(() => undefined);
}
