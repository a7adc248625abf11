/**
 * MinIO as a local process for the S3 suites: the pinned build from scripts/install-test-servers.sh, on a
 * free 127.0.0.1 port, with a temp data folder and test credentials. By default it runs as users run it
 * out of the box: no KMS, so it answers 501 NotImplemented to any request for server-side encryption.
 * `{ kms: true }` starts it with a KMS key instead (SSE-S3 and SSE-KMS work), the extra case for the
 * encryption tests. Prints the MinIO version when it starts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort, httpStatus, installedBinary, startProcess, tempDir } from './server-process.js';

/** The pseudo-version scripts/install-test-servers.sh builds (it has minio/minio#21526, If-None-Match on missing keys). */
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';

/** What a test needs to reach the running MinIO. Plain data, so vitest's `provide` can pass it to workers. */
export interface MinioInfo {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Name of the KMS key MinIO was started with (SSE-KMS, bucket default encryption); absent on a stock MinIO. */
  kmsKeyName?: string;
  /** First line of `minio --version`, plus the pinned pseudo-version. */
  version: string;
}

export interface RunningMinio extends MinioInfo {
  stop(): Promise<void>;
}

export interface MinioOptions {
  /** Start with a KMS key, so that server-side encryption works (default false: a stock MinIO). */
  kms?: boolean;
  /** MINIO_DOMAIN: also answer virtual-hosted requests (Host: BUCKET.domain), as AWS does. */
  domain?: string;
}

/** Starts MinIO and waits until /minio/health/live answers 200. Throws (never skips) when it cannot start. */
export async function startMinio(options: MinioOptions = {}): Promise<RunningMinio> {
  const binary = installedBinary(`bin/minio-${MINIO_VERSION}`, 'minio');
  const versionLine = execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0]?.trim() ?? 'unknown';
  const version = `${versionLine} (pinned ${MINIO_VERSION})`;
  process.stderr.write(`[testkit] MinIO${options.kms ? ' with a KMS key' : ' (stock, no KMS)'}: ${version}\n`);
  const [port, consolePort] = [await freePort(), await freePort()];
  const data = tempDir('minio');
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = 'statestore-test';
  const secretAccessKey = randomBytes(18).toString('hex');
  const kmsKeyName = options.kms ? 'statestore-test-key' : undefined;
  let proc;
  try {
    proc = await startProcess({
      name: `MinIO on ${endpoint}`,
      command: binary,
      args: ['server', '--quiet', '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, data.dir],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        MINIO_ROOT_USER: accessKeyId,
        MINIO_ROOT_PASSWORD: secretAccessKey,
        ...(kmsKeyName ? { MINIO_KMS_SECRET_KEY: `${kmsKeyName}:${randomBytes(32).toString('base64')}` } : {}),
        ...(options.domain ? { MINIO_DOMAIN: options.domain } : {}),
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
      },
      ready: async () => (await httpStatus(`${endpoint}/minio/health/live`)) === 200,
    });
  } catch (e) {
    data.remove();
    throw e;
  }
  const started = proc;
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    region: 'us-east-1',
    ...(kmsKeyName ? { kmsKeyName } : {}),
    version,
    async stop() {
      await started.stop();
      data.remove();
    },
  };
}

/**
 * Creates a bucket on the running MinIO with one signed request (for suites that have no S3 SDK of their
 * own). MinIO answers 503 XMinioServerNotInitialized for a moment after /minio/health/live first says 200
 * (the SDKs retry it); this polls through that state, up to 30 s.
 */
export async function createMinioBucket(minio: MinioInfo, bucket: string): Promise<void> {
  const url = new URL(`${minio.endpoint}/${bucket}`);
  const signer = new SignatureV4({ service: 's3', region: minio.region, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, sha256: Sha256 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const signed = await signer.sign({
      method: 'PUT',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const res = await fetch(url, { method: 'PUT', headers: signed.headers });
    const text = await res.text();
    if (res.ok) return;
    if (res.status !== 503 || !text.includes('XMinioServerNotInitialized') || Date.now() > deadline) {
      throw new Error(`creating bucket ${bucket} on MinIO: ${res.status} ${text}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
