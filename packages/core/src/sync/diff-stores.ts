/**
 * sync/diff-stores owns `diffStores(a, b)`: which files were added, removed or changed between two
 * folders (a store, a cluster, an exported review copy), compared the way sync compares them, and for
 * changed Cluster/InstanceGroup objects the field-level, YAML-aware differences.
 */
import { diffKopsObjectTexts, type ObjectDiff } from '../config/object-diff.js';
import type { VfsPath } from '../path/vfs-path.js';
import { compareDeep, compareListed } from './compare.js';
import { planPairs } from './plan.js';
import { DEFAULT_CHECKERS } from './sync.js';
import { TaskPool } from './task-pool.js';

export interface ChangedFile {
  /** Relative key. */
  key: string;
  /** Field-level differences, when both sides are Cluster/InstanceGroup YAML. */
  objects?: ObjectDiff[];
}

export interface StoreDiff {
  a: string;
  b: string;
  /** In b, not in a. */
  added: string[];
  /** In a, not in b. */
  removed: string[];
  changed: ChangedFile[];
  unchanged: number;
}

export interface DiffOptions {
  /** Keys (relative) for which this returns false are ignored. */
  filter?: (key: string) => boolean;
  checkers?: number;
  signal?: AbortSignal;
}

/** Larger files are never parsed as objects. */
const MAX_OBJECT_BYTES = 4 * 1024 * 1024;

/** Compares two folders. Any listing or read failure fails the whole diff (a partial diff would mislead). */
export async function diffStores(a: VfsPath, b: VfsPath, options: DiffOptions = {}): Promise<StoreDiff> {
  const diff: StoreDiff = { a: a.toString(), b: b.toString(), added: [], removed: [], changed: [], unchanged: 0 };
  const pool = new TaskPool(options.checkers ?? DEFAULT_CHECKERS);
  let failure: unknown;
  const signalOptions = options.signal ? { signal: options.signal } : {};
  const listings = await planPairs(
    a,
    b,
    {
      onPair: (pair) => {
        if (!pair.exists) {
          diff.removed.push(pair.key);
          return Promise.resolve();
        }
        return pool.submit(async () => {
          const c = compareListed(pair.source.listed!, pair.target.listed) ?? (await compareDeep(pair.source, pair.target, options.signal));
          if (c.same) {
            diff.unchanged++;
            return;
          }
          const changed: ChangedFile = { key: pair.key };
          const sizes = [pair.source.listed?.size ?? 0, pair.target.listed?.size ?? 0];
          if (Math.max(...sizes) <= MAX_OBJECT_BYTES) {
            const [left, right] = await Promise.all([pair.source.readText(signalOptions), pair.target.readText(signalOptions)]);
            const objects = diffKopsObjectTexts(left, right, pair.target.toString());
            if (objects) changed.objects = objects;
          }
          diff.changed.push(changed);
        });
      },
      onListed: () => undefined,
      onError: (_side, _key, e) => {
        failure ??= e;
      },
    },
    { ...(options.filter ? { filter: options.filter } : {}), ...signalOptions },
  );
  await pool.drain();
  if (failure !== undefined) throw failure;
  for (const key of listings.destination.keys()) if (!listings.source.has(key)) diff.added.push(key);
  diff.added.sort();
  diff.removed.sort();
  diff.changed.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return diff;
}
