/**
 * vitest globalSetup: starts MinIO once for the run (testkit's launcher, pinned build, 127.0.0.1, free
 * port) and provides its address to the tests. A MinIO that cannot start fails the run.
 */
import { type MinioInfo, startMinio } from '@statestore/testkit/minio';
import type { TestProject } from 'vitest/node';

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
