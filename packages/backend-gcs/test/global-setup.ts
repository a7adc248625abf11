/**
 * Starts one fake-gcs-server (127.0.0.1, memory backend) for the whole run and hands its address to the
 * test files. A server that cannot start throws here, so the run fails loudly instead of skipping.
 */
import type { TestProject } from 'vitest/node';
import { startFakeGcs, type FakeGcsInfo } from '@statestore/testkit/fake-gcs';

declare module 'vitest' {
  export interface ProvidedContext {
    fakeGcs: FakeGcsInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startFakeGcs();
  project.provide('fakeGcs', { endpoint: server.endpoint, version: server.version });
  return () => server.stop();
}
