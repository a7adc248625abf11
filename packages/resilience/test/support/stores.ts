/** Opening buckets on the real servers, directly or through a fault proxy. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { SECRET_VERBS, createNamespace, grantSecrets, kubeconfigVariant } from '@statestore/testkit/kube-apiserver';
import { inject } from 'vitest';
import { resolvePath, type ResolveOptions, type VfsPath } from '@statestore/core';

export type ServiceName = 's3' | 'gs' | 'k8s';

/** Every backend that can hold cluster configuration (vault:// cannot). */
export type ConfigStore = 'file' | 's3' | 'gs' | 'oss' | 'swift' | 'k8s';

/** What the S3 plugin learns about MinIO between runs stays here, never in the real ~/.cache. */
const CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'statestore-resilience-cache-'));

export function envFor(service: ServiceName, endpoint?: string): NodeJS.ProcessEnv {
  if (service === 'k8s') return { ...process.env, KUBECONFIG: endpoint ? kubeconfigVia(endpoint) : inject('kube').kubeconfig, STATESTORE_TIMEOUT: '5' };
  if (service === 's3') {
    const m = inject('minio');
    return {
      ...process.env,
      S3_ENDPOINT: endpoint ?? m.endpoint,
      S3_REGION: m.region,
      S3_ACCESS_KEY_ID: m.accessKeyId,
      S3_SECRET_ACCESS_KEY: m.secretAccessKey,
      STATESTORE_TIMEOUT: '5',
      STATESTORE_CACHE: CACHE_DIR,
    };
  }
  return { ...process.env, STORAGE_EMULATOR_HOST: endpoint ?? inject('gcs').endpoint, GOOGLE_CLOUD_PROJECT: 'statestore-test', STATESTORE_TIMEOUT: '5' };
}

export function directEndpoint(service: ServiceName): string {
  if (service === 'k8s') return inject('kube').server;
  return service === 's3' ? inject('minio').endpoint : inject('gcs').endpoint;
}

/** The CA to trust at the direct endpoint (kube-apiserver's serving certificate), if it is HTTPS. */
export function directCa(service: ServiceName): string | undefined {
  return service === 'k8s' ? inject('kube').caPem : undefined;
}

/** A fresh bucket (for k8s://, a namespace where the test user may use secrets). */
export async function createBucket(service: ServiceName): Promise<string> {
  const bucket = `resilience-${randomUUID().slice(0, 8)}`;
  if (service === 'k8s') {
    const kube = inject('kube');
    await createNamespace(kube, bucket);
    await grantSecrets(kube, bucket, kube.user, SECRET_VERBS);
  } else if (service === 's3') {
    const m = inject('minio');
    const client = new S3Client({ endpoint: m.endpoint, region: m.region, forcePathStyle: true, credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey } });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
  } else {
    const res = await fetch(`${inject('gcs').endpoint}/storage/v1/b?project=statestore-test`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: bucket }) });
    if (!res.ok) throw new Error(`creating gs://${bucket}: ${res.status} ${await res.text()}`);
  }
  return bucket;
}

export async function open(service: ServiceName, bucket: string, key: string, endpoint?: string, options: ResolveOptions = {}): Promise<VfsPath> {
  return resolvePath(`${service}://${bucket}/${key}`, { env: envFor(service, endpoint), ...options });
}

/** Environment a CLI process needs to reach `store` on the test servers. */
export function cliEnv(store: ConfigStore): NodeJS.ProcessEnv {
  if (store === 's3' || store === 'gs') return envFor(store);
  if (store === 'oss') {
    const o = inject('oss');
    return { ...process.env, OSS_ENDPOINT: o.endpoint, OSS_REGION: `oss-${o.region}`, ALIYUN_ACCESS_KEY_ID: o.accessKeyId, ALIYUN_ACCESS_KEY_SECRET: o.accessKeySecret };
  }
  if (store === 'swift') {
    const s = inject('swift');
    return { ...process.env, OS_AUTH_URL: s.authUrl, OS_USERNAME: s.user, OS_PASSWORD: s.key, HOME: '/nonexistent-statestore-home' };
  }
  // The test kubeconfig (its least-privilege user), never ~/.kube/config.
  if (store === 'k8s') return { ...process.env, KUBECONFIG: inject('kube').kubeconfig, HOME: '/nonexistent-statestore-home' };
  return { ...process.env };
}

/** A fresh state-store URL on `store`. */
export async function freshStoreUrl(store: ConfigStore, tmpDir: string): Promise<string> {
  const run = randomUUID().slice(0, 8);
  if (store === 'file') return `file://${tmpDir}/${run}`;
  if (store === 's3' || store === 'gs') return `${store}://${await createBucket(store)}/${run}`;
  if (store === 'oss') return `oss://${inject('oss').bucket}/${run}`;
  if (store === 'k8s') return `k8s://${inject('kube').namespace}/${run}`;
  return `swift://resilience-${run}/store`;
}

/** The test kubeconfig with every user presenting `token` (for wrong-credential runs). */
export function kubeconfigWithToken(token: string): string {
  return kubeconfigVariant(inject('kube'), { token });
}

/** The test kubeconfig reaching the API server through a plain-HTTP proxy on 127.0.0.1 (the fault proxy). */
function kubeconfigVia(proxyUrl: string): string {
  return kubeconfigVariant(inject('kube'), { server: proxyUrl });
}
