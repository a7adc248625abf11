/**
 * driver-kit/delete-each owns deleting many keys one request each, for a driver without a batch delete (or
 * a service that has it switched off): a few at a time, every key reported once, a missing key counted as
 * deleted, a failure kept for its key and never thrown for the whole batch.
 */
import type { Backend, DeleteManyResult } from '../backend/backend.js';
import { runLimited } from '../path/run-limited.js';

/** Deletes `keys` with `backend.delete`, `concurrency` at a time. */
export async function deleteEach(backend: Pick<Backend, 'delete'>, keys: readonly string[], signal?: AbortSignal, concurrency = 8): Promise<DeleteManyResult> {
  const outcome = new Map<string, Error | undefined>();
  await runLimited(keys, concurrency, async (key) => {
    try {
      await backend.delete(key, signal ? { signal } : {});
      outcome.set(key, undefined);
    } catch (error) {
      outcome.set(key, error as Error);
    }
  });
  const result: DeleteManyResult = { deleted: [], errors: [] };
  for (const key of keys) {
    const error = outcome.get(key);
    if (error) result.errors.push({ key, error });
    else result.deleted.push(key);
  }
  return result;
}
