/**
 * sync/verify owns checking, after a copy, that every source file arrived intact: fresh listings of both
 * sides, each pair compared by hash (listing hash, recorded hash, or reading; never by size alone).
 * Files the caller rewrote on purpose are checked against the bytes it expects instead.
 */
import { bytesEqual } from '../path/body.js';
import type { VfsPath } from '../path/vfs-path.js';
import { compareDeep, compareListed } from './compare.js';
import { planPairs } from './plan.js';
import { DEFAULT_CHECKERS } from './sync.js';
import { TaskPool } from './task-pool.js';

export interface VerifyOptions {
  /** Relative keys whose destination must hold these bytes rather than the source's. */
  expected?: ReadonlyMap<string, Uint8Array>;
  checkers?: number;
  signal?: AbortSignal;
}

export interface VerifyResult {
  /** Source files found identical (or equal to their expected bytes) at the destination. */
  verified: number;
  /** Files missing or different at the destination, with why. */
  mismatches: { key: string; reason: string }[];
}

/** Checks every file below `source` against its counterpart below `destination`. */
export async function verifyTrees(source: VfsPath, destination: VfsPath, options: VerifyOptions = {}): Promise<VerifyResult> {
  const result: VerifyResult = { verified: 0, mismatches: [] };
  const pool = new TaskPool(options.checkers ?? DEFAULT_CHECKERS);
  const mismatch = (key: string, reason: string) => {
    result.mismatches.push({ key, reason });
  };
  /** undefined when the destination file is right, else why not. */
  const check = async (key: string, from: VfsPath, to: VfsPath, exists: boolean): Promise<string | undefined> => {
    if (!exists) return 'missing';
    const expected = options.expected?.get(key);
    if (expected) {
      const same = bytesEqual(await to.readFile(options.signal ? { signal: options.signal } : {}), expected);
      return same ? undefined : 'differs from the rewritten content';
    }
    const c = compareListed(from.listed!, to.listed) ?? (await compareDeep(from, to, options.signal));
    return c.same ? undefined : `differs (${c.method})`;
  };
  await planPairs(
    source,
    destination,
    {
      onPair: (pair) =>
        pool.submit(async () => {
          try {
            const expected = options.expected?.get(pair.key);
            const verdict = await check(pair.key, pair.source, pair.target, pair.exists);
            if (verdict === undefined) result.verified++;
            else mismatch(pair.key, verdict);
          } catch (e) {
            mismatch(pair.key, e instanceof Error ? e.message : String(e));
          }
        }),
      onListed: () => undefined,
      onError: (side, key, e) => mismatch(key ?? `(${side} listing)`, e instanceof Error ? e.message : String(e)),
    },
    options.signal ? { signal: options.signal } : {},
  );
  await pool.drain();
  return result;
}
