/**
 * Starts testkit's OSS-protocol server (127.0.0.1, in memory, signatures verified) once for the whole run and
 * hands its address and key to the test files. A server that cannot start throws here: the run fails, it
 * never skips.
 */
import type { TestProject } from 'vitest/node';
import { launchOssServer, type OssServerInfo } from '@statestore/testkit/oss-server';

declare module 'vitest' {
  export interface ProvidedContext {
    ossServer: OssServerInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await launchOssServer();
  project.provide('ossServer', server.info);
  return () => server.close();
}
