/**
 * Starts one MinIO, one fake-gcs-server and one kube-apiserver with etcd (127.0.0.1, temp data) for the whole
 * run and hands their addresses to the test files. A server that cannot start throws here: the run fails,
 * never skips.
 */
import type { TestProject } from 'vitest/node';
import { startFakeGcs, type FakeGcsInfo } from '@statestore/testkit/fake-gcs';
import { startKubeApiserver, type KubeApiserverInfo } from '@statestore/testkit/kube-apiserver';
import { startMinio, type MinioInfo } from '@statestore/testkit/minio';

declare module 'vitest' {
  export interface ProvidedContext {
    minio: MinioInfo;
    fakeGcs: FakeGcsInfo;
    kube: KubeApiserverInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const minio = await startMinio();
  let gcs;
  let kube;
  try {
    gcs = await startFakeGcs();
    kube = await startKubeApiserver();
  } catch (e) {
    await Promise.all([minio.stop(), gcs?.stop()]);
    throw e;
  }
  const { stop: stopMinio, ...minioInfo } = minio;
  project.provide('minio', minioInfo);
  project.provide('fakeGcs', { endpoint: gcs.endpoint, version: gcs.version });
  const { stop: stopKube, restartApiserver: _restart, ...kubeInfo } = kube;
  project.provide('kube', kubeInfo);
  const running = gcs;
  return async () => {
    await Promise.all([stopMinio(), running.stop(), stopKube()]);
  };
}
