/**
 * backends/file owns `file://` and bare paths. Writes are atomic replaces (temp file in the same folder,
 * fsync, rename, fsync of the folder); createFile is exclusive across processes (link(2) of the finished
 * temp file fails if the name exists); compare-and-swap holds a per-file lock file (O_EXCL) across
 * processes. Files are 0600 and folders 0700 by default: a state store holds secrets.
 */
import { constants as fsc, createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Backend, Capabilities, DeleteManyResult, ListOptions, ListPage, ObjectInfo, ReadOptions, ReadResult, WriteBody, WriteOptions } from '../../backend/backend.js';
import { AlreadyExistsError, NotFoundError, PermissionDeniedError, PreconditionFailedError, StatestoreError, TransientError } from '../../errors/errors.js';
import { sleep } from '../../retry/retry.js';
import { TEMP_PREFIX } from '../../url/keys.js';
import { listSorted } from '../list-sorted.js';

export interface FileBackendOptions {
  /** Mode of new files (default 0o600). */
  fileMode?: number;
  /** Mode of new folders (default 0o700). */
  dirMode?: number;
  /** Key (absolute path without leading `/`) at and above which emptied folders are kept… except this one itself. */
  pruneBoundary?: string;
}

const capabilities: Capabilities = {
  atomicCreate: true,
  compareAndSwap: true,
  conditionalDelete: true,
  versions: false,
  acl: false,
  serverSideCopy: true,
  streaming: true,
  rangeReads: true,
  hashes: [],
  notes: ['Local disk: for review workflows; cluster nodes cannot read it.'],
};

const LOCK_STALE_MS = 30_000;

export class FileBackend implements Backend {
  readonly capabilities = capabilities;
  readonly serviceId = 'file';
  private readonly fileMode: number;
  private readonly dirMode: number;
  private readonly pruneBoundary: string;
  private listCache: { prefix: string; delimiter: string; at: number; keys: string[]; infos: Map<string, ObjectInfo> } | undefined;

  constructor(options: FileBackendOptions = {}) {
    this.fileMode = options.fileMode ?? 0o600;
    this.dirMode = options.dirMode ?? 0o700;
    this.pruneBoundary = options.pruneBoundary ?? '';
  }

  urlFor(key: string): string {
    return `/${key}`;
  }

  private abs(key: string): string {
    return `/${key}`;
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const st = await fs.stat(this.abs(key), { bigint: true });
      return st.isFile() ? infoFrom(key, st) : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw mapFsError(e, this.abs(key));
    }
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.abs(key), 'r');
    } catch (e) {
      throw mapFsError(e, this.abs(key));
    }
    try {
      const st = await handle.stat({ bigint: true });
      if (!st.isFile()) throw new NotFoundError(`${this.abs(key)} is a folder, not a file`);
      const { start = 0, end } = options.range ?? {};
      const stream = createReadStream('', { fd: handle, start, ...(end !== undefined ? { end } : {}), signal: options.signal, autoClose: true });
      return { info: infoFrom(key, st), body: stream };
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw mapFsError(e, this.abs(key));
    }
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const target = this.abs(key);
    const dir = path.dirname(target);
    await this.mkdirs(dir);
    const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}-${path.basename(target)}`);
    try {
      await writeDurably(temp, body, this.fileMode, options.signal);
      if (options.ifNoneMatch === '*') {
        try {
          await fs.link(temp, target);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new AlreadyExistsError(`File already exists: ${target}`);
          throw e;
        }
        await fs.unlink(temp);
      } else if (options.ifMatch !== undefined) {
        await this.withFileLock(target, async () => {
          const current = await this.stat(key);
          if (current?.version !== options.ifMatch) throw new PreconditionFailedError(`${target} changed since version ${options.ifMatch} was read`);
          await fs.rename(temp, target);
        });
      } else {
        await fs.rename(temp, target);
      }
      await fsyncDir(dir);
    } catch (e) {
      await fs.unlink(temp).catch(() => undefined);
      throw mapFsError(e, target);
    }
    const info = await this.stat(key);
    if (!info) throw new TransientError(`${target} vanished right after it was written`);
    return info;
  }

  async delete(key: string, options: { ifMatch?: string } = {}): Promise<void> {
    const target = this.abs(key);
    const unlink = async () => {
      try {
        await fs.unlink(target);
      } catch (e) {
        if (!isMissing(e)) throw mapFsError(e, target);
      }
    };
    if (options.ifMatch === undefined) await unlink();
    else {
      await this.withFileLock(target, async () => {
        const current = await this.stat(key);
        if (!current) throw new NotFoundError(`File not found: ${target}`);
        if (current.version !== options.ifMatch) throw new PreconditionFailedError(`${target} changed since version ${options.ifMatch} was read`);
        await unlink();
      });
    }
    await this.pruneEmptyDirs(path.dirname(target));
    this.listCache = undefined;
  }

  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    const result: DeleteManyResult = { deleted: [], errors: [] };
    for (const key of keys) {
      try {
        await this.delete(key);
        result.deleted.push(key);
      } catch (error) {
        result.errors.push({ key, error: error as Error });
      }
    }
    return result;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const delimiter = options.delimiter ?? '';
    let cache = this.listCache;
    if (!options.pageToken || !cache || cache.prefix !== prefix || cache.delimiter !== delimiter || Date.now() - cache.at > 10_000) {
      const infos = new Map<string, ObjectInfo>();
      const keys: string[] = [];
      await this.collect(prefix, delimiter === '/', infos, keys);
      keys.sort();
      cache = this.listCache = { prefix, delimiter, at: Date.now(), keys, infos };
    }
    const { infos } = cache;
    return listSorted(cache.keys, (k) => infos.get(k)!, prefix, options);
  }

  private async collect(prefix: string, oneLevel: boolean, infos: Map<string, ObjectInfo>, keys: string[]): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(this.abs(prefix), { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw mapFsError(e, this.abs(prefix));
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const key = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        if (oneLevel) keys.push(`${key}/`); // listSorted turns it into a prefix
        else await this.collect(`${key}/`, false, infos, keys);
      } else if (entry.isFile()) {
        const info = await this.stat(key);
        if (info) {
          infos.set(key, info);
          keys.push(key);
        }
      }
    }
  }

  async copy(sourceKey: string, targetKey: string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const { body } = await this.read(sourceKey);
    return this.write(targetKey, body, { ifNoneMatch: options.ifNoneMatch });
  }

  private async mkdirs(dir: string): Promise<void> {
    try {
      await fs.mkdir(dir, { recursive: true, mode: this.dirMode });
    } catch (e) {
      throw mapFsError(e, dir);
    }
  }

  /** Removes folders emptied by a delete, up to and including the folder the store was opened at. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    const boundary = `/${this.pruneBoundary}`;
    while (dir.startsWith(boundary) && dir !== '/' && dir.length >= boundary.length) {
      try {
        await fs.rmdir(dir);
      } catch {
        return;
      }
      dir = path.dirname(dir);
    }
  }

  /** Mutual exclusion across processes for compare-and-swap, with a lock file created O_EXCL. */
  private async withFileLock<T>(target: string, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(path.dirname(target), `${TEMP_PREFIX}lock-${path.basename(target)}`);
    const token = `${hostname()} ${process.pid} ${Date.now()}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.writeFile(lock, token, { flag: 'wx', mode: this.fileMode });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (await lockIsStale(lock)) {
          await fs.unlink(lock).catch(() => undefined);
          continue;
        }
        if (attempt > 2000) throw new TransientError(`Timed out waiting for the lock ${lock}`);
        await sleep(2 + Math.random() * 10);
      }
    }
    try {
      return await fn();
    } finally {
      await fs.unlink(lock).catch(() => undefined);
    }
  }
}

async function lockIsStale(lock: string): Promise<boolean> {
  try {
    const [host, pid, time] = (await fs.readFile(lock, 'utf8')).split(' ');
    if (Date.now() - Number(time) > LOCK_STALE_MS) return true;
    if (host === hostname()) {
      try {
        process.kill(Number(pid), 0);
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    return false;
  } catch {
    return false;
  }
}

async function writeDurably(file: string, body: WriteBody, mode: number, signal?: AbortSignal): Promise<void> {
  const handle = await fs.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
  try {
    if (body instanceof Uint8Array) await handle.writeFile(body);
    else {
      for await (const chunk of body) {
        signal?.throwIfAborted();
        await handle.write(chunk);
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a folder; the rename is still atomic
  } finally {
    await handle.close();
  }
}

function infoFrom(key: string, st: import('node:fs').BigIntStats): ObjectInfo {
  return { key, size: Number(st.size), version: `${st.ino}-${st.mtimeNs}-${st.size}`, modified: new Date(Number(st.mtimeMs)) };
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function mapFsError(e: unknown, file: string): Error {
  if (e instanceof StatestoreError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const detail = (e as Error).message;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new NotFoundError(`File not found: ${file}`, { cause: e });
  if (code === 'EISDIR') return new NotFoundError(`${file} is a folder, not a file`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new PermissionDeniedError(`Permission denied on ${file} (${code}); check the owner and mode of the file and its folders`, { cause: e });
  }
  if (code === 'ENOSPC' || code === 'EMFILE' || code === 'ENFILE' || code === 'EAGAIN' || code === 'EBUSY') {
    return new TransientError(`${file}: ${detail}`, { cause: e });
  }
  if ((e as Error).name === 'AbortError') return e as Error;
  return new StatestoreError('Unknown', `${file}: ${detail}`, { cause: e });
}
