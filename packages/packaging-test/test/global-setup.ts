/**
 * vitest globalSetup: starts MinIO and kube-apiserver (with etcd) once for the run (testkit's launchers,
 * pinned builds, 127.0.0.1, free ports) and provides their addresses to the tests. A server that cannot
 * start fails the run.
 */
import { type KubeApiserverInfo, startKubeApiserver } from '@statestore/testkit/kube-apiserver';
import { type MinioInfo, startMinio } from '@statestore/testkit/minio';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    minio: MinioInfo;
    kube: KubeApiserverInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const minio = await startMinio();
  const { stop, ...info } = minio;
  project.provide('minio', info);
  let kube;
  try {
    kube = await startKubeApiserver();
  } catch (e) {
    await stop();
    throw e;
  }
  const { stop: stopKube, restartApiserver, ...kubeInfo } = kube;
  project.provide('kube', kubeInfo);
  return async () => {
    await stopKube();
    await stop();
  };
}
