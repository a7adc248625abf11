/**
 * What the MinIO benchmarks share: MinIO's data and temp files in memory (/dev/shm) unless `--disk`, a raw
 * @aws-sdk/client-s3 client for the test MinIO (path-style, its credentials), and the environment that points
 * Statestore's s3:// at it. Every address comes from the MinIO the benchmark started on 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';

/** Puts temp files (MinIO's data folder included) on /dev/shm when it exists, unless `--disk` is given. */
export function dataInMemoryUnless(args) {
  if (!args.includes('--disk') && existsSync('/dev/shm')) process.env.TMPDIR = '/dev/shm';
}

/** Where the data is, for the benchmark's heading. */
export function dataPlace() {
  return process.env.TMPDIR === '/dev/shm' ? '/dev/shm' : 'the temp disk';
}

/** A raw SDK client for `minio` (from testkit's startMinio), with `options` on top. */
export function minioClient(minio, options = {}) {
  return new S3Client({
    endpoint: minio.endpoint,
    region: minio.region,
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    ...options,
  });
}

/** The variables that point s3:// at `minio`. */
export function minioEnv(minio) {
  return { S3_ENDPOINT: minio.endpoint, S3_ACCESS_KEY_ID: minio.accessKeyId, S3_SECRET_ACCESS_KEY: minio.secretAccessKey };
}
