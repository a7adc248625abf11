/**
 * Native versions on the testkit OSS server with bucket versioning on: `listVersions` lists every version of
 * exactly one key (not of longer keys sharing its prefix), newest first with the times OSS stored them, deletions
 * as delete markers, with the ETag the journal matches; `readVersion` reads each one's bytes and refuses a delete
 * marker or an unknown version (NotFound). Pages of ListObjectVersions are followed. Without versioning, a key has
 * no kept versions.
 */
import { randomUUID } from 'node:crypto';
import { collect, type VfsPath } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { aliClient, newBucket, openOss, ossServer } from './helpers.js';

const versionedBucket = () => newBucket('versions', ossServer(), true);

const text = async (store: VfsPath, key: string, versionId: string) => Buffer.from(await collect((await store.backend.readVersion!(key, versionId)).body)).toString();

describe('native versions on the OSS server', () => {
  it('lists and reads every version of one key, deletions included, newest first', async () => {
    const bucket = await versionedBucket();
    const store = await openOss(`oss://${bucket}/store`);
    expect(store.backend.capabilities.versions).toBe(true);
    const file = store.join('c', 'config');
    const first = await file.writeFile('v1');
    await store.join('c', 'config2').writeFile('another key with the same prefix');
    const second = await file.writeFile('v2');
    // Around Statestore: a deletion (a delete marker) and a new version, with ali-oss straight to the bucket.
    const client = aliClient(ossServer(), bucket);
    await client.delete(file.key);
    await client.put(file.key, Buffer.from('v3 written around Statestore'));

    const versions = await store.backend.listVersions!(file.key);
    expect(versions.map((v) => [v.deleted === true, v.latest])).toEqual([
      [false, true],
      [true, false],
      [false, false],
      [false, false],
    ]);
    expect(new Set(versions.map((v) => v.versionId)).size).toBe(4);
    expect(versions[2]!.version).toBe(second.version);
    expect(versions[3]!.version).toBe(first.version);
    expect(versions[0]!.size).toBe('v3 written around Statestore'.length);
    // The time OSS stored the current version, as HeadObject reports it.
    expect(versions[0]!.modified!.getTime()).toBe(Date.parse((await client.head(file.key)).res.headers['last-modified']));
    for (let i = 1; i < versions.length; i++) expect(versions[i - 1]!.modified!.getTime()).toBeGreaterThanOrEqual(versions[i]!.modified!.getTime());
    expect(await text(store, file.key, versions[0]!.versionId)).toBe('v3 written around Statestore');
    expect(await text(store, file.key, versions[2]!.versionId)).toBe('v2');
    expect(await text(store, file.key, versions[3]!.versionId)).toBe('v1');
    await expect(store.backend.readVersion!(file.key, versions[1]!.versionId)).rejects.toMatchObject({ code: 'NotFound' });
    // A version id of another key is no version of this one.
    const other = await store.backend.listVersions!(store.join('c', 'config2').key);
    await expect(store.backend.readVersion!(file.key, other[0]!.versionId)).rejects.toMatchObject({ code: 'NotFound', message: expect.stringContaining(file.toString()) });
  });

  it('a deletion through Statestore is the current version, a delete marker', async () => {
    const store = await openOss(`oss://${await versionedBucket()}/store`);
    const file = store.join('gone');
    await file.writeFile('was here');
    await file.remove();
    const versions = await store.backend.listVersions!(file.key);
    expect(versions.map((v) => [v.deleted === true, v.latest])).toEqual([
      [true, true],
      [false, false],
    ]);
    expect(await text(store, file.key, versions[1]!.versionId)).toBe('was here');
  });

  it('follows ListObjectVersions pages (more than 1,000 versions under the prefix)', async () => {
    const bucket = await versionedBucket();
    const store = await openOss(`oss://${bucket}/store`);
    const client = aliClient(ossServer(), bucket);
    const key = store.join('many').key;
    for (let i = 0; i < 1005; i++) await client.put(key, Buffer.from(String(i)));
    const versions = await store.backend.listVersions!(key);
    expect(versions.length).toBe(1005);
    expect(await text(store, key, versions[0]!.versionId)).toBe('1004');
    expect(await text(store, key, versions[1004]!.versionId)).toBe('0');
  });

  it('a bucket without versioning keeps no versions', async () => {
    const store = await openOss(`oss://${await newBucket('unversioned')}/store-${randomUUID().slice(0, 8)}`);
    await store.join('c', 'config').writeFile('v1');
    await store.join('c', 'config').writeFile('v2');
    expect(store.backend.capabilities.versions).toBe(true);
    expect(await store.backend.listVersions!(store.join('c', 'config').key)).toEqual([]);
  });
});
