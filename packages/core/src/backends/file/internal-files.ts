/**
 * The files file:// keeps beside the user's files, all hidden from listings by core's temp prefix and all
 * of fixed length (a name of 255 bytes can still be written):
 * - `.statestore-tmp-w-<host>-<pid>-<random>`: a write in progress (renamed onto its target when done);
 * - `.statestore-tmp-l-<hash of the name>`: the lock of one file's compare-and-swap;
 * - `.statestore-tmp-b-<hash of the name>`: the breaker of that lock (see file-lock.ts).
 * A temp file is stale when its writer was a process on this host that is gone, or when it is older than
 * a day; stale ones are removed on the next write to their folder, by removeAll and by sync. A live
 * writer's temp file is never removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { TEMP_PREFIX } from '../../url/keys.js';

/** How old a temp file must be before it counts as stale whoever wrote it. */
export const TEMP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const TEMP = `${TEMP_PREFIX}w-`;
const LOCK = `${TEMP_PREFIX}l-`;
const BREAKER = `${TEMP_PREFIX}b-`;

/** A fresh temp-file path in `dir`. */
export function tempPath(dir: string): string {
  return path.join(dir, `${TEMP}${HOST_TAG}-${process.pid.toString(36)}-${randomBytes(6).toString('hex')}`);
}

function nameHash(file: string): string {
  return createHash('sha256').update(path.basename(file)).digest('hex').slice(0, 24);
}

/** The lock file of `file`'s compare-and-swap. */
export function lockPath(file: string): string {
  return path.join(path.dirname(file), `${LOCK}${nameHash(file)}`);
}

/** The breaker file of `file`'s lock. */
export function breakerPath(file: string): string {
  return path.join(path.dirname(file), `${BREAKER}${nameHash(file)}`);
}

/** True when `pid` is a process on this host that no longer exists. */
export function pidIsDead(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export const THIS_HOST = HOST_TAG;

/**
 * Whether an internal file named `name` in `dir` is stale: a temp file whose writer on this host is gone
 * or that is older than a day; a lock or breaker whose holder on this host is gone.
 */
export async function isStaleInternal(dir: string, name: string): Promise<boolean> {
  const file = path.join(dir, name);
  if (name.startsWith(TEMP)) {
    const [host, pid36] = name.slice(TEMP.length).split('-');
    if (host === HOST_TAG && pidIsDead(parseInt(pid36 ?? '', 36))) return true;
    const st = await fs.stat(file).catch(() => undefined);
    return st !== undefined && Date.now() - st.mtimeMs > TEMP_MAX_AGE_MS;
  }
  if (name.startsWith(LOCK) || name.startsWith(BREAKER)) {
    const owner = parseOwner(await fs.readFile(file, 'utf8').catch(() => undefined));
    return owner !== undefined && owner.host === HOST_TAG && pidIsDead(owner.pid);
  }
  // Names of older Statestore versions: stale after a day.
  const st = await fs.stat(file).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs > TEMP_MAX_AGE_MS;
}

/** Removes the stale internal files of one folder (best effort: a file that vanished meanwhile is fine). */
export async function removeStaleInternal(dir: string, entries?: Dirent[]): Promise<number> {
  const list = entries ?? (await fs.readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]));
  let removed = 0;
  for (const entry of list) {
    if (!entry.name.startsWith(TEMP_PREFIX) || !entry.isFile()) continue;
    if (await isStaleInternal(dir, entry.name)) {
      await fs.unlink(path.join(dir, entry.name)).then(
        () => removed++,
        () => undefined,
      );
    }
  }
  return removed;
}

/** Who owns a lock or breaker file: `<host tag> <pid> <token>`. */
export interface Owner {
  host: string;
  pid: number;
  token: string;
}

export function ownerText(token: string): string {
  return `${HOST_TAG} ${process.pid} ${token}`;
}

export function parseOwner(text: string | undefined): Owner | undefined {
  const parts = text?.split(' ');
  if (!parts || parts.length !== 3) return undefined;
  const pid = Number(parts[1]);
  return Number.isInteger(pid) && parts[0] && parts[2] ? { host: parts[0], pid, token: parts[2] } : undefined;
}
