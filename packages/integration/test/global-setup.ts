/**
 * Starts one MinIO and one fake-gcs-server (127.0.0.1, temp data) for the whole run and hands their
 * addresses to the test files. A server that cannot start throws here: the run fails, never skips.
 */
import type { TestProject } from 'vitest/node';
import { startFakeGcs, type FakeGcsInfo } from '@statestore/testkit/fake-gcs';
import { startMinio, type MinioInfo } from '@statestore/testkit/minio';

declare module 'vitest' {
  export interface ProvidedContext {
    minio: MinioInfo;
    fakeGcs: FakeGcsInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const minio = await startMinio();
  let gcs;
  try {
    gcs = await startFakeGcs();
  } catch (e) {
    await minio.stop();
    throw e;
  }
  const { stop: stopMinio, ...minioInfo } = minio;
  project.provide('minio', minioInfo);
  project.provide('fakeGcs', { endpoint: gcs.endpoint, version: gcs.version });
  const running = gcs;
  return async () => {
    await Promise.all([stopMinio(), running.stop()]);
  };
}
