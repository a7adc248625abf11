/**
 * history/native-versions owns reading the versions a service keeps itself (S3, GCS and OSS bucket versioning,
 * Vault KV v2: `capabilities.versions`, `listVersions`) into a cluster's history, merged with the journal. A
 * version the journal recorded (same file, same version token; deletions paired newest first) is shown once, as
 * the journal's revision with its attribution, and names its native version; a journal entry of a change made
 * outside Statestore takes the time the service stored it. A version the journal does not know — a kops write,
 * another tool, a write while history was off — is a revision of its own, "outside Statestore", at the time the
 * service stored it; versions stored within a second of each other are one revision (kops writes a cluster's
 * files together). Reads only; a service that refuses to list versions (no permission) leaves the journal alone,
 * with the reason.
 */
import { runLimited } from '../path/run-limited.js';
import type { VfsPath } from '../path/vfs-path.js';
import type { ObjectVersion } from '../backend/backend.js';
import type { JournalEntry } from './journal-entry.js';

const AT_ONCE = 8;
/** Versions stored within this many ms of each other (and of no journal revision) are one revision. */
const TOGETHER_MS = 1000;

/** One native version of one file of the cluster. */
export interface NativeVersion {
  path: string;
  versionId: string;
  time?: string;
  deleted?: boolean;
}

/** A journal revision as the merge needs it: its id, its entries (newest first). */
export interface JournalRevisionEntries {
  id: string;
  entries: JournalEntry[];
}

export interface NativeMerge {
  /** Native versions of each journal revision, by revision id. */
  byRevision: Map<string, NativeVersion[]>;
  /**
   * Versions the journal does not know, grouped, newest first. `follows`: the journal revisions that wrote an
   * older version of one of its files — it came after them, even where the service's times (whole seconds, on
   * OSS) cannot tell.
   */
  outside: { time: string; versions: NativeVersion[]; files: { path: string; change: 'added' | 'changed' | 'removed' }[]; follows: string[] }[];
}

/** Whether the store's service keeps versions the driver can list. */
export function keepsVersions(store: VfsPath): boolean {
  return store.backend.capabilities.versions && typeof store.backend.listVersions === 'function';
}

/** The versions of `paths` of `cluster`, newest first per path. */
export async function listNativeVersions(store: VfsPath, cluster: string, paths: Iterable<string>, signal?: AbortSignal): Promise<Map<string, ObjectVersion[]>> {
  const out = new Map<string, ObjectVersion[]>();
  const backend = store.backend;
  await runLimited([...new Set(paths)], AT_ONCE, async (path) => {
    const versions = await backend.listVersions!(store.join(cluster, path).key, signal ? { signal } : {});
    if (versions.length > 0) out.set(path, versions);
  });
  return out;
}

/**
 * Merges native versions with journal revisions (newest first). `since`: versions older than this are left out
 * (they belong to journal revisions not read, on a later page).
 */
export function mergeNative(native: Map<string, ObjectVersion[]>, revisions: JournalRevisionEntries[], since?: number): NativeMerge {
  const byToken = new Map<string, string>();
  const removals = new Map<string, string[]>(); // path → revision ids that removed it, newest first
  for (const r of revisions) {
    for (const entry of r.entries) {
      for (const change of entry.changes) {
        if (change.after === null) removals.set(change.path, [...(removals.get(change.path) ?? []), r.id]);
        else {
          const token = entry.files[change.path]?.version;
          if (token) byToken.set(`${change.path}\0${token}`, r.id);
        }
      }
    }
  }
  const byRevision = new Map<string, NativeVersion[]>();
  const unknown: (NativeVersion & { at: number; previous: ObjectVersion | undefined; follows: string | undefined })[] = [];
  for (const [path, versions] of native) {
    const pendingRemovals = [...(removals.get(path) ?? [])];
    const owners = versions.map((v) => (v.deleted ? pendingRemovals.shift() : v.version ? byToken.get(`${path}\0${v.version}`) : undefined));
    versions.forEach((v, i) => {
      const at = v.modified?.getTime() ?? 0;
      if (since !== undefined && at < since) return;
      const nv: NativeVersion = { path, versionId: v.versionId, ...(v.modified ? { time: v.modified.toISOString() } : {}), ...(v.deleted ? { deleted: true } : {}) };
      const owner = owners[i];
      if (owner) byRevision.set(owner, [...(byRevision.get(owner) ?? []), nv]);
      else unknown.push({ ...nv, at, previous: versions[i + 1], follows: owners.slice(i + 1).find((o) => o !== undefined) });
    });
  }
  unknown.sort((a, b) => b.at - a.at);
  const outside: NativeMerge['outside'] = [];
  for (const v of unknown) {
    const group = outside[outside.length - 1];
    const change = v.deleted ? 'removed' : !v.previous || v.previous.deleted ? 'added' : 'changed';
    const version = { path: v.path, versionId: v.versionId, ...(v.time ? { time: v.time } : {}), ...(v.deleted ? { deleted: true } : {}) };
    const follows = v.follows === undefined ? [] : [v.follows];
    if (group && Date.parse(group.versions[group.versions.length - 1]!.time ?? '') - v.at <= TOGETHER_MS && !group.files.some((f) => f.path === v.path)) {
      group.versions.push(version);
      group.files.push({ path: v.path, change });
      group.follows.push(...follows.filter((f) => !group.follows.includes(f)));
    } else outside.push({ time: v.time ?? new Date(0).toISOString(), versions: [version], files: [{ path: v.path, change }], follows });
  }
  for (const g of outside) g.files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { byRevision, outside };
}
