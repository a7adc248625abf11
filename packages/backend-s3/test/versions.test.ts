/**
 * Native versions on MinIO: with bucket versioning on, `listVersions` lists every version of exactly one key
 * (not of longer keys sharing its prefix), newest first, deletions as delete markers, with the ETag the journal
 * matches; `readVersion` reads each one's bytes and refuses a delete marker (NotFound). Without versioning, a key
 * has no kept versions.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { collect, type VfsPath } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { newBucket, openS3, rawClient } from './helpers.js';

const versionedBucket = () => newBucket('versions', true);

const text = async (store: VfsPath, key: string, versionId: string) => Buffer.from(await collect((await store.backend.readVersion!(key, versionId)).body)).toString();

describe('native versions on MinIO', () => {
  it('lists and reads every version of one key, deletions included, newest first', async () => {
    const bucket = await versionedBucket();
    const store = await openS3(`s3://${bucket}/store`);
    expect(store.backend.capabilities.versions).toBe(true);
    const file = store.join('c', 'config');
    const first = await file.writeFile('v1');
    await store.join('c', 'config2').writeFile('another key with the same prefix');
    const second = await file.writeFile('v2');
    const client = rawClient();
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: file.key }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: 'v3 written around Statestore' }));
    client.destroy();

    const versions = await store.backend.listVersions!(file.key);
    expect(versions.map((v) => [v.deleted === true, v.latest])).toEqual([
      [false, true],
      [true, false],
      [false, false],
      [false, false],
    ]);
    expect(versions[2]!.version).toBe(second.version);
    expect(versions[3]!.version).toBe(first.version);
    for (let i = 1; i < versions.length; i++) expect(versions[i - 1]!.modified!.getTime()).toBeGreaterThanOrEqual(versions[i]!.modified!.getTime());
    expect(await text(store, file.key, versions[0]!.versionId)).toBe('v3 written around Statestore');
    expect(await text(store, file.key, versions[2]!.versionId)).toBe('v2');
    expect(await text(store, file.key, versions[3]!.versionId)).toBe('v1');
    await expect(store.backend.readVersion!(file.key, versions[1]!.versionId)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('a bucket without versioning keeps no versions', async () => {
    const store = await openS3(`s3://${await newBucket('unversioned')}/store`);
    await store.join('c', 'config').writeFile('v1');
    await store.join('c', 'config').writeFile('v2');
    expect(await store.backend.listVersions!(store.join('c', 'config').key)).toEqual([]);
  });
});
