/**
 * The shared contract suite against a real MinIO, through S3_ENDPOINT with the s3:// scheme (so SSE,
 * ACL and the precondition probe are all in play). Listing pages are small so that pagination is crossed.
 */
import { randomUUID } from 'node:crypto';
import { resolvePath } from '@statestore/core';
import { describeConformance } from '@statestore/core/conformance';
import { minio, minioEnv, newBucket, registry } from './helpers.js';

describeConformance('s3 against MinIO', async () => {
  const bucket = await newBucket('conformance');
  const versioned = await newBucket('conformance-versioned', true);
  process.stderr.write(`[backend-s3] conformance against ${minio().version} at ${minio().endpoint}, bucket ${bucket}\n`);
  const open = (url: string) => resolvePath(url, { registry, env: minioEnv(), listPageSize: 7 });
  return {
    newRoot: () => open(`s3://${bucket}/run-${randomUUID()}`),
    versionedRoot: () => open(`s3://${versioned}/run-${randomUUID()}`),
    missingStore: () => open(`s3://missing-${randomUUID()}/`),
    resolve: open,
  };
});
