/**
 * Starts the real servers the resilience suites use (MinIO, fake-gcs-server, the testkit OSS server, OpenStack Swift, OpenBao,
 * kube-apiserver with etcd),
 * once per run, and provides their addresses. A server that cannot start fails the run.
 */
import type { TestProject } from 'vitest/node';
import { startFakeGcs, type FakeGcsInfo } from '@statestore/testkit/fake-gcs';
import { startKubeApiserver, type KubeApiserverInfo } from '@statestore/testkit/kube-apiserver';
import { startMinio, type MinioInfo } from '@statestore/testkit/minio';
import { startOpenBao, type OpenBaoInfo } from '@statestore/testkit/openbao';
import { launchOssServer, type OssServerInfo } from '@statestore/testkit/oss-server';
import { startSwift } from '@statestore/testkit/swift';

declare module 'vitest' {
  export interface ProvidedContext {
    minio: MinioInfo;
    gcs: FakeGcsInfo;
    oss: OssServerInfo & { bucket: string };
    vault: OpenBaoInfo;
    swift: { authUrl: string; user: string; key: string; version: string };
    kube: KubeApiserverInfo;
  }
}

const OSS_BUCKET = 'resilience';

export default async function setup(project: TestProject) {
  const minio = await startMinio();
  const gcs = await startFakeGcs();
  const oss = await launchOssServer({ buckets: [OSS_BUCKET] });
  const swift = await startSwift();
  const vault = await startOpenBao();
  const kube = await startKubeApiserver();
  const tester = swift.users.find((u) => u.user === 'test:tester')!;
  project.provide('minio', { endpoint: minio.endpoint, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey, region: minio.region, kmsKeyName: minio.kmsKeyName, version: minio.version });
  project.provide('gcs', { endpoint: gcs.endpoint, version: gcs.version });
  project.provide('oss', { ...oss.info, bucket: OSS_BUCKET });
  const { stop: _stopVault, ...vaultInfo } = vault;
  project.provide('vault', vaultInfo);
  project.provide('swift', { authUrl: swift.authUrl, user: tester.user, key: tester.key, version: swift.version });
  const { stop: _stopKube, restartApiserver: _restart, ...kubeInfo } = kube;
  project.provide('kube', kubeInfo);
  return async () => {
    await Promise.all([minio.stop(), gcs.stop(), oss.close(), swift.stop(), vault.stop(), kube.stop()]);
  };
}
