/**
 * sync-on-demand owns `sync` and `verifyTrees` as core's main entry offers them: each loads the sync engine
 * on its first call, so a program that imports @statestore/core to open a store and read a file never
 * loads it. The whole sync surface (defaults, summaries, export, migrate, diff) is @statestore/core/sync.
 */
import type { VfsPath } from './path/vfs-path.js';
import type { SyncOptions } from './sync/sync.js';
import type { SyncSummary } from './sync/summary.js';
import type { VerifyOptions, VerifyResult } from './sync/verify.js';

/** Makes `destination` hold exactly what `source` holds (see @statestore/core/sync for the whole surface). */
export async function sync(source: VfsPath, destination: VfsPath, options: SyncOptions = {}): Promise<SyncSummary> {
  return (await import('./sync/sync.js')).sync(source, destination, options);
}

/** Compares two trees file by file by hash (see @statestore/core/sync). */
export async function verifyTrees(source: VfsPath, destination: VfsPath, options: VerifyOptions = {}): Promise<VerifyResult> {
  return (await import('./sync/verify.js')).verifyTrees(source, destination, options);
}
