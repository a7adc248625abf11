/**
 * sync/export-cluster owns `exportCluster`: copy one cluster's folder (`{store}/{cluster}`) to another
 * store — typically `file:///dir` — for review: edit it there, dry-run kops or Statestore against it,
 * `diff` it with the original. Nothing is rewritten: the copy still names the original configBase, so
 * syncing reviewed files back is safe. etcd backups are left out unless asked for.
 */
import { NotFoundError } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';
import { PATH_CLUSTER_CONFIG } from '../config/store-layout.js';
import { sync, type SyncOptions } from './sync.js';
import type { SyncSummary } from './summary.js';

export interface ExportOptions extends Omit<SyncOptions, 'filter'> {
  /** Copy `backups/` (etcd backups) too; default false. */
  includeBackups?: boolean;
}

/** Copies `{store}/{cluster}` to `{to}/{cluster}`. NotFoundError when the cluster has no config. */
export async function exportCluster(store: VfsPath, cluster: string, to: VfsPath, options: ExportOptions = {}): Promise<SyncSummary> {
  const { includeBackups, ...syncOptions } = options;
  const source = store.join(cluster);
  await requireCluster(store, cluster, options.signal);
  return sync(source, to.join(cluster), {
    ...syncOptions,
    ...(includeBackups ? {} : { filter: (key: string) => !key.startsWith('backups/') }),
  });
}

/** NotFoundError unless `{store}/{cluster}/config` exists. */
export async function requireCluster(store: VfsPath, cluster: string, signal?: AbortSignal): Promise<void> {
  const config = store.join(cluster, PATH_CLUSTER_CONFIG);
  if (!(await config.statInfo(signal))) {
    throw new NotFoundError(`No cluster ${cluster} in ${store.toString()} (${config.toString()} does not exist); list the clusters with \`statestore get clusters\``, {
      url: config.toString(),
    });
  }
}
