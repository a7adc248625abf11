/**
 * Native versions on fake-gcs-server, which models object versioning (a bucket created with versioning enabled
 * keeps noncurrent generations, listed with `versions=true`, read by generation): `listVersions` gives every
 * generation of exactly one key newest first, a deletion as a record of its own, with the generation the journal
 * matches; `readVersion` reads each; a bucket without versioning keeps nothing beyond the live generation.
 */
import { collect, type VfsPath } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { emulator, newBucket, openGs } from './helpers.js';

const versionedBucket = () => newBucket('versions', emulator(), true);

const text = async (store: VfsPath, key: string, versionId: string) => Buffer.from(await collect((await store.backend.readVersion!(key, versionId)).body)).toString();

describe('native versions on fake-gcs-server', () => {
  it('lists and reads every generation of one key, a deletion included, newest first', async () => {
    const store = await openGs(`gs://${await versionedBucket()}/store`);
    expect(store.backend.capabilities.versions).toBe(true);
    const file = store.join('c', 'config');
    const first = await file.writeFile('v1');
    await store.join('c', 'config2').writeFile('another key with the same prefix');
    const second = await file.writeFile('v2');
    await file.remove();

    const versions = await store.backend.listVersions!(file.key);
    expect(versions.map((v) => [v.deleted === true, v.version ?? null])).toEqual([
      [true, null],
      [false, second.version],
      [false, first.version],
    ]);
    expect(await text(store, file.key, versions[1]!.versionId)).toBe('v2');
    expect(await text(store, file.key, versions[2]!.versionId)).toBe('v1');
    await expect(store.backend.readVersion!(file.key, versions[0]!.versionId)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('a bucket without versioning keeps nothing beyond the live generation', async () => {
    const store = await openGs(`gs://${await newBucket('unversioned')}/store`);
    await store.join('c', 'config').writeFile('v1');
    await store.join('c', 'config').writeFile('v2');
    expect(await store.backend.listVersions!(store.join('c', 'config').key)).toEqual([]);
  });
});
