/**
 * Starts one Keystone and one Swift (a tempauth proxy and a Keystone proxy on the same storage) for the
 * whole run and hands their addresses to the test files. A server that cannot start throws here, so the run
 * fails loudly instead of skipping.
 */
import type { TestProject } from 'vitest/node';
import { startKeystone } from '@statestore/testkit/keystone';
import { startSwift, type SwiftKeystoneSetup } from '@statestore/testkit/swift';

export interface SwiftServers {
  authUrl: string;
  proxyUrl: string;
  users: { user: string; key: string }[];
  version: string;
  memcachedPort: number;
  keystone: SwiftKeystoneSetup & { version: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    swift: SwiftServers;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const keystone = await startKeystone();
  const swift = await startSwift({ keystone }).catch(async (e: unknown) => {
    await keystone.stop();
    throw e;
  });
  project.provide('swift', {
    authUrl: swift.authUrl,
    proxyUrl: swift.proxyUrl,
    users: swift.users,
    version: swift.version,
    memcachedPort: swift.memcachedPort,
    keystone: { ...swift.keystone!, version: keystone.version },
  });
  return async () => {
    await swift.stop();
    await keystone.stop();
  };
}
