/**
 * Starts one MinIO (127.0.0.1, temp data folder, KMS key) for the whole run and hands its address and
 * test credentials to the test files. A server that cannot start throws here: the run fails, never skips.
 */
import type { TestProject } from 'vitest/node';
import { startMinio, type MinioInfo } from '@statestore/testkit/minio';

declare module 'vitest' {
  export interface ProvidedContext {
    minio: MinioInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const minio = await startMinio();
  const { stop, ...info } = minio;
  project.provide('minio', info);
  return stop;
}
