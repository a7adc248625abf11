/** Helpers for the sync tests: fresh roots, fixtures, tree hashes, and a destination that fails on demand. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Backend, ListOptions, ObjectInfo, ReadOptions, WriteBody, WriteOptions } from '../../src/index.js';
import { PermissionDeniedError, resolvePath, type VfsPath } from '../../src/index.js';

export async function memfsRoot(): Promise<VfsPath> {
  return resolvePath(`memfs://sync-${randomUUID()}`);
}

export function tempDir(label = 'sync'): string {
  return mkdtempSync(path.join(os.tmpdir(), `statestore-${label}-`));
}

export async function fileRoot(): Promise<VfsPath> {
  return resolvePath(`file://${tempDir()}/root`);
}

/** Writes `files` (relative key → content) under `root`. */
export async function writeTree(root: VfsPath, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [key, body] of Object.entries(files)) await root.join(key).writeFile(body);
}

/** Relative key → sha256 of every file below `root`, read from the bytes (never from a listing). */
export async function treeHashes(root: VfsPath): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of await root.readTree()) out[file.relativeTo(root)!] = createHash('sha256').update(await file.readFile()).digest('hex');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `count` files of 1–8 KiB of random bytes, spread over a few folders. */
export function randomFiles(count: number, prefix = ''): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) files[`${prefix}dir${i % 7}/file-${i}`] = randomBytes(1024 + ((i * 977) % 7168));
  return files;
}

/** Wraps a driver; writes and deletes of keys matching `failWrites`/`failDeletes` fail with PermissionDenied. */
export class FaultyBackend implements Backend {
  failWrites: (key: string) => boolean = () => false;
  failDeletes: (key: string) => boolean = () => false;
  deletes: string[] = [];
  inFlightWrites = 0;
  maxInFlightWrites = 0;
  /** Resolved gate every write waits on (so a test can hold writes in flight without timers). */
  gate: Promise<void> | undefined;
  /** Called as each write starts (after `inFlightWrites` was raised). */
  onWriteStart: (() => void) | undefined;

  constructor(readonly inner: Backend) {}
  get capabilities() {
    return { ...this.inner.capabilities, serverSideCopy: false };
  }
  urlFor(key: string) {
    return this.inner.urlFor(key);
  }
  stat(key: string) {
    return this.inner.stat(key);
  }
  read(key: string, options?: ReadOptions) {
    return this.inner.read(key, options);
  }
  list(prefix: string, options?: ListOptions) {
    return this.inner.list(prefix, options);
  }
  async write(key: string, body: WriteBody, options?: WriteOptions): Promise<ObjectInfo> {
    this.inFlightWrites++;
    this.maxInFlightWrites = Math.max(this.maxInFlightWrites, this.inFlightWrites);
    this.onWriteStart?.();
    try {
      await this.gate;
      if (this.failWrites(key)) throw new PermissionDeniedError(`Permission denied on ${this.urlFor(key)} (injected)`);
      return await this.inner.write(key, body, options);
    } finally {
      this.inFlightWrites--;
    }
  }
  async delete(key: string, options?: { ifMatch?: string }) {
    if (this.failDeletes(key)) throw new PermissionDeniedError(`Permission denied on ${this.urlFor(key)} (injected)`);
    this.deletes.push(key);
    return this.inner.delete(key, options);
  }
}
