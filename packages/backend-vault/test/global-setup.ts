/**
 * Starts one OpenBao dev server (plain HTTP, KV v2 at secret/) for the whole run and provides its address and
 * root token to the tests. A server that cannot start fails the run.
 */
import { startOpenBao, type OpenBaoInfo } from '@statestore/testkit/openbao';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    openbao: OpenBaoInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startOpenBao();
  const { stop, ...info } = server;
  project.provide('openbao', info);
  return stop;
}
