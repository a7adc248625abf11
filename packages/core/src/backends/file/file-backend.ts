/**
 * backends/file owns `file://` and bare paths. Writes are atomic replaces (temp file in the same folder,
 * fsync, rename, fsync of the folder); createFile is exclusive across processes (link(2) of the finished
 * temp file fails if the name exists); compare-and-swap holds a per-file lock across processes
 * (file-lock.ts). Files are 0600 and folders 0700 by default: a state store holds secrets. Writes never go
 * through a symbolic link that leaves the folder the store was opened at; listings report what they skip
 * (file-listing.ts); stale temp files are cleaned up (internal-files.ts).
 */
import { constants as fsc, createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Backend, Capabilities, ListOptions, ListPage, ObjectInfo, ReadOptions, ReadResult, WriteBody, WriteOptions } from '../../backend/backend.js';
import { freezeCapabilities } from '../../backend/capabilities.js';
import { uploadBody } from '../../driver-kit/streams.js';
import { AlreadyExistsError, ConflictError, NotFoundError, PermissionDeniedError, PreconditionFailedError, StatestoreError, TransientError } from '../../errors/errors.js';
import { withFileLock } from './file-lock.js';
import { listFileTree } from './file-listing.js';
import { removeStaleInternal, tempPath } from './internal-files.js';
import { RESERVED_FOLDER } from '../../url/keys.js';

export interface FileBackendOptions {
  /** Mode of new files (default 0o600). */
  fileMode?: number;
  /** Mode of new folders (default 0o700). */
  dirMode?: number;
  /** Key (absolute path without leading `/`) at and above which emptied folders are kept… except this one itself. */
  pruneBoundary?: string;
}

/**
 * Keys are absolute paths without their leading `/`: at most PATH_MAX (4,096 bytes with the `/` and the
 * terminating NUL) less room for the temp and lock files written beside a file.
 */
const MAX_KEY_BYTES = 4000;

const capabilities: Readonly<Capabilities> = freezeCapabilities({
  atomicCreate: true,
  compareAndSwap: true,
  conditionalDelete: true,
  versions: false,
  writeMetadata: false,
  acl: false,
  serverSideCopy: true,
  streaming: true,
  rangeReads: true,
  contentType: false,
  fileAndPrefix: false,
  hashes: [],
  maxKeyBytes: MAX_KEY_BYTES,
  notes: [
    'Local disk: for review workflows; cluster nodes cannot read it.',
    'A path is a file or a folder, never both: writing a/b where a is a file (or a where a/ has files) is a Conflict.',
    'No content type is kept.',
  ],
});

export class FileBackend implements Backend {
  readonly capabilities = capabilities;
  readonly serviceId = 'file';
  private readonly fileMode: number;
  private readonly dirMode: number;
  private readonly pruneBoundary: string;
  /** The real path of the folder the store was opened at (or of its nearest existing ancestor), once found. */
  private storeRealPath: Promise<string> | undefined;
  /** Folders whose stale temp files this process already removed. */
  private readonly cleanedFolders = new Set<string>();

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

  async stat(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    options.signal?.throwIfAborted();
    try {
      const st = await fs.stat(this.abs(key), { bigint: true });
      return st.isFile() ? infoFrom(key, st) : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw mapFsError(e, this.abs(key));
    }
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    options.signal?.throwIfAborted();
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
    await this.checkInsideStore(dir);
    const { temp, handle } = await this.openTemp(dir, target);
    try {
      await writeDurably(handle, body, options.signal);
      options.signal?.throwIfAborted();
      if (options.ifNoneMatch === '*') {
        try {
          await fs.link(temp, target);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw (await isFolder(target)) ? folderInTheWay(target) : new AlreadyExistsError(`File already exists: ${target}`);
          throw e;
        }
        await fs.unlink(temp);
      } else if (options.ifMatch !== undefined) {
        await withFileLock(target, this.fileMode, async () => {
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
      if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw folderInTheWay(target);
      throw mapFsError(e, target);
    }
    const info = await this.stat(key);
    if (!info) throw new TransientError(`${target} vanished right after it was written`);
    return info;
  }

  async delete(key: string, options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const target = this.abs(key);
    const unlink = async () => {
      try {
        await fs.unlink(target);
      } catch (e) {
        // A missing file, or a folder (which is no file): nothing to remove.
        const code = (e as NodeJS.ErrnoException).code;
        if (!isMissing(e) && code !== 'EISDIR' && !(code === 'EPERM' && (await isFolder(target)))) throw mapFsError(e, target);
      }
    };
    if (options.ifMatch === undefined) await unlink();
    else {
      // Its folder may be gone with it: then there is no lock to take, and nothing to remove.
      if (!(await this.stat(key))) throw new NotFoundError(`File not found: ${target}`);
      try {
        await withFileLock(target, this.fileMode, async () => {
          const current = await this.stat(key);
          if (!current) throw new NotFoundError(`File not found: ${target}`);
          if (current.version !== options.ifMatch) throw new PreconditionFailedError(`${target} changed since version ${options.ifMatch} was read`);
          await unlink();
        });
      } catch (e) {
        throw mapFsError(e, target);
      }
    }
    await this.pruneEmptyDirs(path.dirname(target));
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    options.signal?.throwIfAborted();
    return listFileTree(prefix, options, (key) => this.stat(key), mapFsError);
  }

  async copy(sourceKey: string, targetKey: string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const { body } = await this.read(sourceKey, options.signal ? { signal: options.signal } : {});
    return this.write(targetKey, body, { ...(options.ifNoneMatch ? { ifNoneMatch: options.ifNoneMatch } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  }

  /**
   * Creates a temp file in `dir`, creating the folder first (a file where one of its folders would be is a
   * Conflict). Another writer's delete may prune the folder between the two (it is empty then): the folder
   * is made again. Once the temp file is in it, no prune can remove it.
   */
  private async openTemp(dir: string, target: string): Promise<{ temp: string; handle: fs.FileHandle }> {
    for (let attempt = 1; ; attempt++) {
      const temp = tempPath(dir);
      try {
        await this.mkdirs(dir, target);
        await this.cleanFolderOnce(dir);
        return { temp, handle: await fs.open(temp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, this.fileMode) };
      } catch (e) {
        if (!(isMissing(e) && attempt < 10)) throw mapFsError(e, isMissing(e) ? dir : temp);
      }
    }
  }

  /**
   * Creates the folders of `target`; a file where one of them would be is a Conflict naming it. A folder
   * pruned meanwhile (ENOENT) is passed on as it is, for `openTemp` to make again.
   */
  private async mkdirs(dir: string, target: string): Promise<void> {
    try {
      await fs.mkdir(dir, { recursive: true, mode: this.dirMode });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const file = code === 'EEXIST' || code === 'ENOTDIR' ? await nearestNonFolder(dir) : undefined;
      if (file) throw new ConflictError(`Cannot write ${target}: ${file} is a file, and a local path cannot be both a file and a folder; remove or rename ${file}`, { cause: e });
      throw e;
    }
  }

  /**
   * Removes folders emptied by a delete, up to and including the folder the store was opened at — but
   * never above Statestore's own `.statestore/` (releasing the last lease of a store must not remove it).
   */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    const boundary = `/${this.pruneBoundary}`;
    while (dir.startsWith(boundary) && dir !== '/' && dir.length >= boundary.length) {
      try {
        await fs.rmdir(dir);
      } catch {
        return;
      }
      if (path.basename(dir) === RESERVED_FOLDER) return;
      dir = path.dirname(dir);
    }
  }

  /**
   * Refuses a write whose folder is reached through a symbolic link that leaves the folder the store was
   * opened at (checked on the nearest existing ancestor, before any folder is created).
   */
  private async checkInsideStore(dir: string): Promise<void> {
    const boundary = `/${this.pruneBoundary}`;
    if (dir !== boundary && !dir.startsWith(boundary === '/' ? '/' : `${boundary}/`)) return;
    this.storeRealPath ??= realPathOfNearest(boundary);
    const [root, real] = await Promise.all([this.storeRealPath, realPathOfNearest(dir)]);
    if (real !== root && !real.startsWith(root === '/' ? '/' : `${root}/`)) {
      throw new PermissionDeniedError(
        `Refusing to write into ${dir}: a symbolic link there leads to ${real}, outside the store ${boundary}. Replace the link by a real folder, or open the store at the link's target.`,
      );
    }
  }

  /** Removes stale temp files (crashed writers) from a folder, once per process. */
  private async cleanFolderOnce(dir: string): Promise<void> {
    if (this.cleanedFolders.has(dir)) return;
    this.cleanedFolders.add(dir);
    await removeStaleInternal(dir);
  }
}

/** The real path of `file`, or of its nearest existing ancestor joined with the rest. */
async function realPathOfNearest(file: string): Promise<string> {
  const rest: string[] = [];
  let current = file;
  for (;;) {
    try {
      return path.join(await fs.realpath(current), ...rest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || current === '/') throw mapFsError(e, current);
      rest.unshift(path.basename(current));
      current = path.dirname(current);
    }
  }
}

/** A streamed body is written in batches of this many bytes (one writev each), not a write per chunk. */
const WRITE_BATCH_BYTES = 1024 * 1024;

async function writeDurably(handle: fs.FileHandle, body: WriteBody, signal?: AbortSignal): Promise<void> {
  try {
    if (body instanceof Uint8Array) await handle.writeFile(body);
    else {
      // A download arrives in chunks of 16–64 KiB: a write (a thread-pool round trip) per chunk took 2.4×
      // as long as batches of 1 MiB for 256 MiB of 16 KiB chunks (1.5 s against 0.63 s, loaded machine).
      // uploadBody: the abort is honoured even while the source waits, and after its last chunk.
      let batch: Uint8Array[] = [];
      let batchBytes = 0;
      for await (const chunk of uploadBody(body, signal)) {
        batch.push(chunk);
        batchBytes += chunk.byteLength;
        if (batchBytes >= WRITE_BATCH_BYTES) {
          await writeAll(handle, batch, batchBytes);
          batch = [];
          batchBytes = 0;
        }
      }
      await writeAll(handle, batch, batchBytes);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes every byte of `chunks` at the file's position (writev may write fewer bytes than asked). */
async function writeAll(handle: fs.FileHandle, chunks: Uint8Array[], total: number): Promise<void> {
  if (total === 0) return;
  const { bytesWritten } = await handle.writev(chunks);
  if (bytesWritten < total) await handle.writeFile(Buffer.concat(chunks).subarray(bytesWritten));
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

/** Whether `file` is a folder. */
async function isFolder(file: string): Promise<boolean> {
  return (await fs.lstat(file).catch(() => undefined))?.isDirectory() === true;
}

/** The first of `dir` and its ancestors that exists and is not a folder. */
async function nearestNonFolder(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = path.dirname(current)) {
    const st = await fs.lstat(current).catch(() => undefined);
    if (st && !st.isDirectory()) return current;
    if (st || current === '/') return undefined;
  }
}

/** A write onto a path that is a folder (it has files below it). */
function folderInTheWay(target: string): ConflictError {
  return new ConflictError(`Cannot write ${target}: it is a folder with files below it, and a local path cannot be both a file and a folder; remove the folder first`);
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
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StatestoreError('Unknown', `No space left on the device that holds ${file} (${code}); free some space or raise the quota, then run again`, { cause: e });
  }
  if (code === 'ENAMETOOLONG') return new StatestoreError('InvalidUrl', `The name ${file} is too long for the local file system (${code}); use a shorter name`, { cause: e });
  if (code === 'EMFILE' || code === 'ENFILE' || code === 'EAGAIN' || code === 'EBUSY') {
    return new TransientError(`${file}: ${detail}`, { cause: e });
  }
  if ((e as Error).name === 'AbortError') return e as Error;
  return new StatestoreError('Unknown', `${file}: ${detail}`, { cause: e });
}
