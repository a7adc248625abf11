/**
 * sync/copier owns copying one file for a sync: `VfsPath.copyTo` (server-side inside one service, a
 * stream for large files, buffered and retried for small ones), one more whole-file attempt on a
 * transient failure (a stream cannot be replayed mid-way), and a check of what was written against the
 * source: same size, and the same hash wherever both ends report one.
 */
import type { Backend, ObjectInfo } from '../backend/backend.js';
import { StatestoreError } from '../errors/errors.js';
import type { FileStat, VfsPath } from '../path/vfs-path.js';
import { DEFAULT_RETRY_POLICY, withRetry } from '../retry/retry.js';

/** True when `VfsPath.copyTo` between these two drivers runs inside the service. */
export function copiesServerSide(source: Backend, destination: Backend): boolean {
  if (source === destination && source.copy !== undefined && source.capabilities.serverSideCopy) return true;
  return destination.copyFrom !== undefined && source.serviceId !== undefined && source.serviceId === destination.serviceId;
}

/** Whole-file attempts, on top of the per-request retries inside copyTo. */
const COPY_POLICY = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 };

/** Copies `source` (which carries its listing info) to `target` and checks the result. */
export async function copyFile(source: VfsPath, target: VfsPath, signal?: AbortSignal): Promise<FileStat> {
  const written = await withRetry(() => source.copyTo(target, { signal }), COPY_POLICY, signal);
  checkWritten(source, target, written);
  return written;
}

function checkWritten(source: VfsPath, target: VfsPath, written: FileStat): void {
  const listed: ObjectInfo | undefined = source.listed;
  if (!listed) return;
  const changed = (what: string) =>
    new StatestoreError(
      'Conflict',
      `${target.toString()} does not match ${source.toString()} after the copy (${what}); the source probably changed during the copy. Run the sync again.`,
      { url: target.toString() },
    );
  if (written.size !== listed.size) throw changed(`${written.size} bytes written, ${listed.size} listed`);
  const [alg, hex] = written.hash?.split(':') ?? [];
  const expected = alg === 'sha256' || alg === 'md5' ? listed.hashes?.[alg] : undefined;
  if (expected !== undefined && hex !== expected) throw changed(`${alg} ${hex} written, ${expected} listed`);
}
