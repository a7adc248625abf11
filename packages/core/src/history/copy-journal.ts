/**
 * history/copy-journal owns carrying a cluster's history to another store (`migrate --with-history`): the
 * cluster's journal — wherever each store keeps it, in the store or in its history store — is copied file by file
 * (entries are immutable and uniquely named, blobs named by their content, so a copy interrupted midway is
 * finished by running it again). The first write in the new store finds the same content under new version
 * tokens and records no change. A destination whose journal of that cluster has entries the source's has not is
 * refused: two histories are never interleaved. Versions the source service kept itself are not copied.
 */
import { InvalidConfigError } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';
import { sync } from '../sync/sync.js';
import type { SyncSummary } from '../sync/summary.js';
import { openJournal, type HistoryLocation } from './history-store.js';

export interface CopyJournalOptions {
  /** Where the source store keeps its history (default: as its history.json says). */
  from?: Omit<HistoryLocation, 'signal'>;
  /** Where the destination keeps its history (default: as its history.json says). */
  to?: Omit<HistoryLocation, 'signal'>;
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** Copies the journal of `cluster` from `source`'s history to `destination`'s. */
export async function copyJournal(source: VfsPath, cluster: string, destination: VfsPath, options: CopyJournalOptions = {}): Promise<SyncSummary> {
  const { signal } = options;
  const from = (await openJournal(source, cluster, { ...options.from, ...(signal ? { signal } : {}) })).journal;
  const to = (await openJournal(destination, cluster, { ...options.to, ...(signal ? { signal } : {}) })).journal;
  const known = new Set<string>();
  for await (const name of from.entryNames('log', signal ? { signal } : {})) known.add(name);
  for await (const name of to.entryNames('log', signal ? { signal } : {})) {
    if (!known.has(name)) {
      throw new InvalidConfigError(`${to.folder.toString()} already holds a history of ${cluster} that is not the one in ${from.folder.toString()} (entry ${name}); move it away, or migrate without --with-history`, {
        url: to.folder.toString(),
      });
    }
  }
  return sync(from.folder, to.folder, { ...(options.dryRun ? { dryRun: true } : {}), ...(signal ? { signal } : {}) });
}
