/**
 * Starts one etcd + kube-apiserver (127.0.0.1, RBAC, a least-privilege test user) for the whole run and hands
 * their address, kubeconfig and tokens to the test files. A server that cannot start throws here, so the
 * run fails loudly instead of skipping.
 */
import type { TestProject } from 'vitest/node';
import { startKubeApiserver, type KubeApiserverInfo } from '@statestore/testkit/kube-apiserver';

declare module 'vitest' {
  export interface ProvidedContext {
    kube: KubeApiserverInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startKubeApiserver();
  const { stop, restartApiserver, ...info } = server;
  project.provide('kube', info);
  return () => server.stop();
}
