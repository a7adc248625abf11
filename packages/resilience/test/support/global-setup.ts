/**
 * Starts the real servers the resilience suites use (MinIO, fake-gcs-server, the testkit OSS server),
 * once per run, and provides their addresses. A server that cannot start fails the run.
 */
import type { TestProject } from 'vitest/node';
import { startFakeGcs, type FakeGcsInfo } from '@statestore/testkit/fake-gcs';
import { startMinio, type MinioInfo } from '@statestore/testkit/minio';

declare module 'vitest' {
  export interface ProvidedContext {
    minio: MinioInfo;
    gcs: FakeGcsInfo;
  }
}

export default async function setup(project: TestProject) {
  const minio = await startMinio();
  const gcs = await startFakeGcs();
  project.provide('minio', { endpoint: minio.endpoint, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey, region: minio.region, kmsKeyName: minio.kmsKeyName, version: minio.version });
  project.provide('gcs', { endpoint: gcs.endpoint, version: gcs.version });
  return async () => {
    await Promise.all([minio.stop(), gcs.stop()]);
  };
}
