/**
 * Whether an S3-compatible server (a custom endpoint) can store objects written with
 * `x-amz-server-side-encryption: AES256`. A stock MinIO (no KMS), and Ceph or Garage without encryption
 * configured, answer 501 NotImplemented (some 400) to that header on every write. Checked by writing one
 * small temp object (hidden from listings by core's temp prefix) in the folder about to be written, then
 * removing it: the same request a real write makes, so the answer is the one the write would get. Only
 * ever run before a write, never by a read-only command. Also the two messages the decision produces.
 */
import { randomUUID } from 'node:crypto';
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { UnsupportedError } from '@statestore/core';
import { errorCode, httpStatus } from './errors.js';
import type { S3Sdk } from './sdk.js';

/** Core hides keys whose name starts with `.statestore-tmp-` from listings (`isInternalKey`). */
export const SSE_PROBE_PREFIX = '.statestore-tmp-sse-';

/** The file in the cache folder that keeps the decisions (see DecisionCache). */
export const SSE_CACHE_FILE = 's3-sse-support.json';

/**
 * Writes a temp object with SSE in folder `dir` (`''` or ending in `/`) and removes it. True when the
 * server stored it, false when it refused the header (501 NotImplemented, or a 400 that names the request
 * as invalid); any other failure is rethrown (it says nothing about encryption), so nothing is decided.
 */
export async function probeSseSupport(client: S3Client, sdk: S3Sdk, bucket: string, dir: string, acl: PutObjectCommandInput['ACL']): Promise<boolean> {
  const Key = `${dir}${SSE_PROBE_PREFIX}${randomUUID()}`;
  const Body = new TextEncoder().encode('statestore encryption check; safe to delete\n');
  try {
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key, Body, ServerSideEncryption: 'AES256', ...(acl ? { ACL: acl } : {}) }));
  } catch (e) {
    if (refusesEncryption(e)) return false;
    throw e;
  }
  await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => undefined);
  return true;
}

const REFUSED_REQUEST = new Set(['InvalidArgument', 'InvalidRequest', 'InvalidEncryptionAlgorithmError']);

function refusesEncryption(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  return httpStatus(error) === 501 || code === 'NotImplemented' || (httpStatus(error) === 400 && REFUSED_REQUEST.has(code));
}

/** Said once, when `auto` finds that a server cannot encrypt. */
export function sseUnsupportedNotice(endpoint: string, bucket: string, cacheFile: string): string {
  return (
    `${endpoint} cannot encrypt objects on the server (it refuses x-amz-server-side-encryption: AES256), so writes to bucket ${bucket} go without it ` +
    `(STATESTORE_S3_SSE=auto). Set STATESTORE_S3_SSE=require to refuse unencrypted writes instead, or configure encryption on the server (for MinIO, a KMS). ` +
    `This is remembered for 24 hours in ${cacheFile}.`
  );
}

/** `require` on a server that cannot encrypt: nothing is written. */
export function sseRequiredError(endpoint: string, bucket: string, url: string): UnsupportedError {
  return new UnsupportedError(
    `STATESTORE_S3_SSE=require, but ${endpoint} cannot encrypt objects on the server (it refuses x-amz-server-side-encryption: AES256 in bucket ${bucket}); nothing was written to ${url}. ` +
      'Configure encryption on the server (for MinIO, a KMS), or set STATESTORE_S3_SSE=auto to write without it where the server cannot encrypt.',
    { url },
  );
}
