/**
 * History on MinIO with bucket versioning on: kops-style writes made around Statestore (the AWS SDK, straight to
 * the bucket) appear in `history` as revisions of their own, "outside Statestore", at the times MinIO stored them —
 * those no Statestore command saw yet included — merged with the journal: a version a Statestore command wrote
 * is shown once, as that command's revision with its author and message, and names its native version; a kops
 * change the journal recorded (as first seen by the next Statestore write) takes MinIO's time.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, inject, it } from 'vitest';
import { CLUSTER } from './support/history-scenario.js';
import { nativeHistoryScenario, type KopsWrite } from './support/native-history-scenario.js';
import { cliEnv, createBucket } from './support/stores.js';

describe('history on a versioned MinIO bucket', () => {
  it('shows each write made around Statestore at its time, and Statestore revisions once, with their attribution', async () => {
    const m = inject('minio');
    const client = new S3Client({ endpoint: m.endpoint, region: m.region, forcePathStyle: true, credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey } });
    const bucket = await createBucket('s3');
    await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const storeUrl = `s3://${bucket}/store`;
    const env = { ...cliEnv('s3'), HOME: mkdtempSync(path.join(os.tmpdir(), 'statestore-native-home-')), KOPS_STATE_STORE: storeUrl };
    /** kops writing a file: straight to the bucket; returns the version and the second MinIO stored it in (HTTP dates have seconds). */
    const kopsWrites: KopsWrite = async (relative, body) => {
      const Key = `store/${CLUSTER}/${relative}`;
      const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body }));
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key, VersionId: put.VersionId! }));
      return { versionId: put.VersionId!, second: head.LastModified!.toISOString() };
    };
    await nativeHistoryScenario(storeUrl, env, kopsWrites);
    client.destroy();
  });
});
