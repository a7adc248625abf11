/**
 * Shared test plumbing: the MinIO address from globalSetup, a raw SDK client for arranging and checking
 * things behind the driver's back, fresh buckets, and opening URLs with this plugin registered (no
 * discovery), MinIO's endpoint variables in the environment and a temp cache folder (STATESTORE_CACHE).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { PluginRegistry, resolvePath, type Logger, type ResolveOptions, type VfsPath } from '@statestore/core';
import type { MinioInfo } from '@statestore/testkit/minio';
import { inject } from 'vitest';
import plugin from '../src/index.js';

export const registry = new PluginRegistry(() => []);
registry.register(plugin);

export function minio(): MinioInfo {
  return inject('minio');
}

/** This test file's cache folder: what the driver keeps between runs never lands in the real ~/.cache. */
export const CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'statestore-s3-cache-'));

/** The kops variables for MinIO (S3_ENDPOINT and static keys) and STATESTORE_CACHE, plus `extra`. */
export function minioEnv(extra: NodeJS.ProcessEnv = {}, endpoint = minio().endpoint): NodeJS.ProcessEnv {
  const m = minio();
  return { S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: m.accessKeyId, S3_SECRET_ACCESS_KEY: m.secretAccessKey, STATESTORE_CACHE: CACHE_DIR, ...extra };
}

/** A plain SDK client on MinIO, for arranging and inspecting what the driver did. */
export function rawClient(endpoint = minio().endpoint): S3Client {
  const m = minio();
  return new S3Client({
    endpoint,
    region: m.region,
    forcePathStyle: true,
    credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A new, empty bucket with a unique name (with versioning Enabled when `versioning`). */
export async function newBucket(prefix = 'b', versioning = false): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const client = rawClient();
  await client.send(new CreateBucketCommand({ Bucket: name }));
  if (versioning) await client.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
  client.destroy();
  return name;
}

export interface OpenOptions extends ResolveOptions {
  /** Where S3_ENDPOINT points (default MinIO itself; a proxy in front of it in some tests). */
  endpoint?: string;
}

/** Opens a URL with this plugin, with MinIO's variables merged under `env`. */
export function openS3(url: string, { endpoint, env, ...options }: OpenOptions = {}): Promise<VfsPath> {
  return resolvePath(url, { registry, env: minioEnv(env, endpoint), ...options });
}

/** A logger that keeps what it is given (notices from context.warn arrive at level 0). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (_level, message) => lines.push(message) };
}

export const text = (s: string) => new TextEncoder().encode(s);
