/**
 * config/config-base-files owns where a cluster's configBase-relative files (cluster-completed.spec, …)
 * are read from. Normally at `spec.configBase`, joined by its own backend (so a URL that ends in a query
 * such as `?tls=false` keeps it at the end). In a review copy — a local (file://) state store whose
 * cluster still names a configBase outside it, as `export` or `aws s3 sync` leave it — from the copy's own
 * cluster folder instead, so that a dry run against the copy never reads production; configBase itself
 * is not rewritten. `exportCluster` brings the files such a dry run reads (`REVIEW_FILES`) into the copy.
 */
import type { VfsPath } from '../path/vfs-path.js';
import { parseUrl } from '../url/parse-url.js';
import { PATH_COMPLETED_SPEC, clusterFolder } from './store-layout.js';

/** The configBase-relative files a review (a dry run against a local copy) reads. */
export const REVIEW_FILES: readonly string[] = [PATH_COMPLETED_SPEC];

export interface ConfigBaseFolder {
  /** Where the configBase-relative files are read from. */
  folder: VfsPath;
  /** Set when `folder` is a local copy's cluster folder standing in for this configBase. */
  copyOf?: string;
}

/**
 * The folder to read `cluster`'s configBase-relative files from, given its (filled-in) `configBase`;
 * `open` resolves a URL (only called when configBase itself is read).
 */
export async function configBaseFolder(store: VfsPath, cluster: string, configBase: string, open: (url: string) => Promise<VfsPath>): Promise<ConfigBaseFolder> {
  if (isLocal(store) && !isInside(configBase, store)) return { folder: clusterFolder(store, cluster), copyOf: configBase };
  return { folder: await open(configBase) };
}

function isLocal(store: VfsPath): boolean {
  return parseUrl(store.toString()).scheme === 'file';
}

/** True when `url` is `store` or below it. */
function isInside(url: string, store: VfsPath): boolean {
  try {
    const u = parseUrl(url.trim());
    const s = parseUrl(store.toString());
    const root = s.path.replace(/\/+$/, '');
    const path = u.path.replace(/\/+$/, '');
    return u.scheme === s.scheme && u.host === s.host && (path === root || root === '' || path.startsWith(`${root}/`));
  } catch {
    return false;
  }
}
