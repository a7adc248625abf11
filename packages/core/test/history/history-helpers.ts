/** Shared by the history tests: a fresh memfs store behind an observable driver, revisions, tree hashes. */
import { randomUUID } from 'node:crypto';
import { MemfsBackend, Operation, pathForBackend, sha256Hex, type Attribution, type VfsPath } from '../../src/index.js';
import { DelegatingBackend } from '../delegating-backend.js';

export const quiet = { log: () => undefined };

export function newStore(): { backend: DelegatingBackend; store: VfsPath } {
  const backend = new DelegatingBackend(new MemfsBackend());
  return { backend, store: pathForBackend(backend, `store-${randomUUID()}`, { logger: quiet }) };
}

/** One revision: an operation attributed to `who`, writes done through its tracked store. */
export async function asRevision(store: VfsPath, who: Attribution, fn: (tracked: VfsPath) => Promise<void>): Promise<string> {
  const op = new Operation(store, { attribution: who });
  await fn(op.track(store));
  return op.revision;
}

/** Every file under `folder`, relative path → sha256. */
export async function treeHashes(folder: VfsPath): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await folder.readTree()) out[f.relativeTo(folder)!] = sha256Hex(await f.readFile());
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
