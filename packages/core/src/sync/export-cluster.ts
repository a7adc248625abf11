/**
 * sync/export-cluster owns `exportCluster`: copy one cluster's folder (`{store}/{cluster}`) to another
 * store — typically `file:///dir` — for review: edit it there, dry-run kops or Statestore against it,
 * `diff` it with the original. Nothing is rewritten: the copy still names the original configBase, so
 * syncing reviewed files back is safe. When configBase is outside the cluster folder, the files a dry run
 * reads from it (config-base-files' REVIEW_FILES) are brought into the copy too, so the review never
 * needs production. etcd backups are left out unless asked for. Never to vault://.
 */
import { NotFoundError, isStatestoreError } from '../errors/errors.js';
import type { VfsPath } from '../path/vfs-path.js';
import { ClusterRegistry } from '../config/cluster-registry.js';
import { REVIEW_FILES } from '../config/config-base-files.js';
import { PATH_CLUSTER_CONFIG } from '../config/store-layout.js';
import { assertNotVaultTarget, isVaultUrl } from '../config/vault-guards.js';
import { resolvePath } from '../resolve.js';
import { sync, type SyncOptions } from './sync.js';
import type { SyncError, SyncSummary } from './summary.js';

export interface ExportOptions extends Omit<SyncOptions, 'filter'> {
  /** Copy `backups/` (etcd backups) too; default false. */
  includeBackups?: boolean;
  /** Opens the cluster's configBase when it is outside the cluster folder (default: resolvePath). */
  open?: (url: string) => Promise<VfsPath>;
}

export interface ExportResult extends SyncSummary {
  /** Files brought from a configBase outside the cluster folder (with `dryRun`: that would be). */
  fromConfigBase: { from: string; to: string }[];
}

/** Copies `{store}/{cluster}` to `{to}/{cluster}`. NotFoundError when the cluster has no config. */
export async function exportCluster(store: VfsPath, cluster: string, to: VfsPath, options: ExportOptions = {}): Promise<ExportResult> {
  assertNotVaultTarget(to.toString(), 'export');
  const { includeBackups, open, ...syncOptions } = options;
  const source = store.join(cluster);
  await requireCluster(store, cluster, options.signal);
  const summary = await sync(source, to.join(cluster), {
    ...syncOptions,
    ...(includeBackups ? {} : { filter: (key: string) => !key.startsWith('backups/') }),
  });
  const fromConfigBase: ExportResult['fromConfigBase'] = [];
  try {
    const { cluster: object } = await new ClusterRegistry(store).getCluster(cluster);
    const configBase = object.spec.configBase!;
    if (!isVaultUrl(configBase)) {
      const base = await (open ?? ((url: string) => resolvePath(url)))(configBase);
      if (base.toString().replace(/\/+$/, '') !== source.toString().replace(/\/+$/, '')) {
        for (const name of REVIEW_FILES) {
          const from = base.join(name);
          if (!(await from.statInfo(options.signal))) continue;
          const target = to.join(cluster, name);
          if (!options.dryRun) await from.copyTo(target);
          fromConfigBase.push({ from: from.toString(), to: target.toString() });
        }
      }
    }
  } catch (e) {
    const error: SyncError = { phase: 'copy', code: isStatestoreError(e) ? e.code : 'Unknown', message: `configBase files for review: ${(e as Error).message}` };
    summary.errors.push(error);
  }
  return { ...summary, fromConfigBase };
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
