/**
 * Batch deletes (bulk delete) against the real Swift: missing objects count as deleted, and per-object
 * errors from Swift's answer come back per key — here for a user whose container ACL lets it read, not write.
 */
import { isPermissionDenied } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { createContainer, newContainer, openSwift, tempauthEnv } from './helpers.js';

const keys = ['with space', 'ünïcødé/ключ', 'plain', 'per%cent+plus'];

describe('bulk delete', () => {
  it('deletes every key in one request; a key that is already gone counts as deleted', async () => {
    const container = newContainer('bulk');
    const root = await openSwift(`swift://${container}/`);
    for (const k of keys) await root.join(k).writeFile(k);
    const result = await root.backend.deleteMany!([...keys, 'never-written']);
    expect(result.errors).toEqual([]);
    expect([...result.deleted].sort()).toEqual([...keys, 'never-written'].sort());
    expect(await root.readTree()).toEqual([]);
  });

  it('per-object errors are returned per key, and removeAll reports them', async () => {
    const container = newContainer('bulk');
    await createContainer(container, tempauthEnv(0), { 'x-container-read': 'test:tester3' });
    const owner = await openSwift(`swift://${container}/`, tempauthEnv(0));
    for (const k of keys) await owner.join(k).writeFile(k);
    const reader = await openSwift(`swift://${container}/`, tempauthEnv(2));
    expect((await reader.readTree()).map((p) => p.key).sort()).toEqual([...keys].sort());
    const result = await reader.backend.deleteMany!(keys);
    expect(result.deleted).toEqual([]);
    expect(result.errors.map((e) => e.key).sort()).toEqual([...keys].sort());
    for (const e of result.errors) {
      expect(isPermissionDenied(e.error)).toBe(true);
      expect(e.error.message).toContain(`swift://${container}/`);
    }
    const failure = await reader.removeAll().catch((error: unknown) => error);
    expect((failure as Error).message).toContain(`${keys.length} of ${keys.length} files could not be removed`);
    expect((await owner.readTree()).length).toBe(keys.length);
  });
});
