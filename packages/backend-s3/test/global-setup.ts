/**
 * Starts one stock MinIO (127.0.0.1, temp data folder, no KMS: as users run it) for the whole run and
 * hands its address and test credentials to the test files. A server that cannot start throws here: the
 * run fails, never skips. The encryption tests start a second MinIO with a KMS key themselves.
 *
 * Opt-in alternative for machines with Docker (e.g. a MinIO container from testcontainers): set
 * STATESTORE_TEST_S3_ENDPOINT, STATESTORE_TEST_S3_ACCESS_KEY_ID and STATESTORE_TEST_S3_SECRET_ACCESS_KEY
 * to use that server instead. Unset, the local MinIO process is the default.
 */
import type { TestProject } from 'vitest/node';
import { startMinio, type MinioInfo } from '@statestore/testkit/minio';

declare module 'vitest' {
  export interface ProvidedContext {
    minio: MinioInfo;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.STATESTORE_TEST_S3_ENDPOINT;
  if (external) {
    const accessKeyId = process.env.STATESTORE_TEST_S3_ACCESS_KEY_ID;
    const secretAccessKey = process.env.STATESTORE_TEST_S3_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error('STATESTORE_TEST_S3_ENDPOINT is set: also set STATESTORE_TEST_S3_ACCESS_KEY_ID and STATESTORE_TEST_S3_SECRET_ACCESS_KEY');
    }
    process.stderr.write(`[backend-s3] using the S3 server at ${external} (STATESTORE_TEST_S3_ENDPOINT); not starting MinIO\n`);
    project.provide('minio', {
      endpoint: external.replace(/\/+$/, ''),
      accessKeyId,
      secretAccessKey,
      region: 'us-east-1',
      version: `external server at ${external}`,
    });
    return undefined;
  }
  const minio = await startMinio();
  const { stop, ...info } = minio;
  project.provide('minio', info);
  return stop;
}
