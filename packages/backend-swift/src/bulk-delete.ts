/**
 * Deleting many objects of one container: `POST ?bulk-delete` (the bulk middleware) when the cluster's
 * /info offers it, with its per-object errors parsed and returned; one DELETE per object otherwise.
 * Objects already gone count as deleted.
 */
import { StatestoreError, type DeleteManyResult } from '@statestore/core';
import { deleteEach } from '@statestore/core/driver-kit';
import { swiftError } from './errors.js';
import { encodeKey, type SwiftClient } from './swift-client.js';

/** Bulk delete's answer (`Accept: application/json`). */
interface BulkAnswer {
  'Number Deleted'?: number;
  'Number Not Found'?: number;
  'Response Status'?: string;
  'Response Body'?: string;
  Errors?: [string, string][];
}

/** Most keys one bulk request takes on this cluster (capped at 10,000), or undefined without bulk delete. */
export async function bulkDeleteLimit(client: SwiftClient): Promise<number | undefined> {
  const bulk = (await client.info()).bulk_delete;
  return bulk ? Math.max(1, Math.min(bulk.max_deletes_per_request ?? 10_000, 10_000)) : undefined;
}

/**
 * Deletes `keys` of `container`: in one bulk request when `bulk` (the caller keeps to the cluster's
 * `max_deletes_per_request`), else one DELETE each.
 */
export async function deleteObjects(
  client: SwiftClient,
  container: string,
  keys: readonly string[],
  urlFor: (key: string) => string,
  bulk: boolean,
  signal?: AbortSignal,
): Promise<DeleteManyResult> {
  if (keys.length === 0) return { deleted: [], errors: [] };
  if (bulk) return bulkDelete(client, container, keys, urlFor, signal);
  return deleteEach(
    {
      delete: async (key, options = {}) => {
        const res = await client.request({ container, key }, { method: 'DELETE', ...(options.signal ? { signal: options.signal } : {}) }, 'delete');
        if (!res.ok && res.status !== 404) throw swiftError({ url: urlFor(key), action: 'delete', status: res.status, body: res.text });
      },
    },
    keys,
    signal,
  );
}

async function bulkDelete(
  client: SwiftClient,
  container: string,
  keys: readonly string[],
  urlFor: (key: string) => string,
  signal?: AbortSignal,
): Promise<DeleteManyResult> {
  const byPath = new Map<string, string>();
  const lines = keys.map((key) => {
    const line = `/${encodeURIComponent(container)}/${encodeKey(key)}`;
    byPath.set(line, key);
    byPath.set(`/${container}/${key}`, key);
    return line;
  });
  const res = await client.request(
    { query: { 'bulk-delete': 'true' } },
    { method: 'POST', headers: { 'content-type': 'text/plain', accept: 'application/json' }, body: lines.join('\n'), ...(signal ? { signal } : {}) },
    'bulk-delete in',
  );
  const text = res.text;
  const where = urlFor('');
  if (res.status !== 200) throw swiftError({ url: where, action: 'bulk-delete in', status: res.status, body: text });
  let answer: BulkAnswer;
  try {
    answer = JSON.parse(text) as BulkAnswer;
  } catch {
    throw new StatestoreError('Unknown', `Swift's bulk delete in ${where} answered something that is not JSON; is the bulk middleware in the proxy pipeline?`, { url: where });
  }
  const errors: DeleteManyResult['errors'] = [];
  for (const [path, status] of answer.Errors ?? []) {
    const key = byPath.get(path) ?? byPath.get(safeDecode(path)) ?? path.replace(/^\/[^/]*\//, '');
    errors.push({ key, error: swiftError({ url: urlFor(key), action: 'delete', status: Number.parseInt(status, 10) || 500, body: status }) });
  }
  const overall = Number.parseInt(answer['Response Status'] ?? '200', 10);
  if (errors.length === 0 && overall >= 400) {
    // The whole request failed (e.g. 401 for every object, or a server error) without per-object details.
    throw swiftError({ url: where, action: 'bulk-delete in', status: overall, body: answer['Response Body'] });
  }
  const failed = new Set(errors.map((e) => e.key));
  return { deleted: keys.filter((k) => !failed.has(k)), errors };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
