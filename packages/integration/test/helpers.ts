/**
 * Plumbing for the cross-backend tests: the server addresses from globalSetup, fresh buckets on MinIO and
 * fake-gcs-server, opening any URL with the s3 and gs plugins registered (no discovery) and both
 * servers' variables in the environment, and tree hashes read from the bytes.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import gcsPlugin from '@statestore/backend-gcs';
import s3Plugin from '@statestore/backend-s3';
import { PluginRegistry, resolvePath, type VfsPath } from '@statestore/core';
import { inject } from 'vitest';

export const registry = new PluginRegistry(() => []);
registry.register(s3Plugin);
registry.register(gcsPlugin);

/** What the S3 plugin learns about MinIO between runs stays in this temp folder, never in the real ~/.cache. */
const CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'statestore-integration-cache-'));

/** The variables both plugins read: MinIO as S3_ENDPOINT with its keys, fake-gcs-server as STORAGE_EMULATOR_HOST. */
export function serverEnv(): NodeJS.ProcessEnv {
  const minio = inject('minio');
  return {
    S3_ENDPOINT: minio.endpoint,
    S3_ACCESS_KEY_ID: minio.accessKeyId,
    S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
    STORAGE_EMULATOR_HOST: inject('fakeGcs').endpoint,
    STATESTORE_CACHE: CACHE_DIR,
  };
}

export function open(url: string): Promise<VfsPath> {
  return resolvePath(url, { registry, env: serverEnv(), listPageSize: 250 });
}

export async function newS3Bucket(prefix = 'sync'): Promise<string> {
  const minio = inject('minio');
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const client = new S3Client({
    endpoint: minio.endpoint,
    region: minio.region,
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  });
  await client.send(new CreateBucketCommand({ Bucket: name }));
  client.destroy();
  return name;
}

export async function newGcsBucket(prefix = 'sync'): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const res = await fetch(`${inject('fakeGcs').endpoint}/storage/v1/b?project=test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`creating bucket ${name}: ${res.status} ${await res.text()}`);
  return name;
}

export function tempDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `statestore-${label}-`));
}

/** Writes `files` (relative key → content) under `root`. */
export async function writeTree(root: VfsPath, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [key, body] of Object.entries(files)) await root.join(key).writeFile(body);
}

/** A mix: small files over several folders, an empty one, awkward names, and one above the 8 MiB streaming threshold. */
export function mixedFiles(count: number): Record<string, Uint8Array | string> {
  const files: Record<string, Uint8Array | string> = {};
  for (let i = 0; i < count; i++) files[`dir${i % 5}/file-${i}`] = randomBytes(1024 + ((i * 977) % 7168));
  files['empty'] = '';
  files['with space/ünïcödé +%#.yaml'] = 'kind: Cluster\n';
  files['large/blob'] = randomBytes(9 * 1024 * 1024 + 5);
  return files;
}

/** Relative key → sha256 of every file below `root`, read from the bytes. */
export async function treeHashes(root: VfsPath): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of await root.readTree()) out[file.relativeTo(root)!] = createHash('sha256').update(await file.readFile()).digest('hex');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
