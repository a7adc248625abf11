/**
 * The first-use probe: some S3-compatible services accept If-None-Match / If-Match and silently ignore
 * them, which would make createFile and compare-and-swap look atomic when they are not. Before the first
 * write to a bucket, a small temporary object (hidden from listings by core's temp prefix) is written and
 * every precondition is tried against it once, and a second temporary object below it shows whether a key
 * can be both a file and a prefix; the results become the store's capabilities.
 */
import { randomUUID } from 'node:crypto';
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { copySource } from './copy-source.js';
import { httpStatus } from './errors.js';
import type { S3Sdk } from './sdk.js';

/** Which preconditions the service honours. */
export interface ProbeResult {
  /** PutObject with If-None-Match: * refuses an existing key (and accepts a new one). */
  atomicCreate: boolean;
  /** PutObject with If-Match accepts the current ETag and refuses another. */
  compareAndSwap: boolean;
  /** DeleteObject with If-Match refuses another ETag. */
  conditionalDelete: boolean;
  /** CopyObject with If-None-Match: * refuses an existing target (MinIO, for one, ignores it). */
  copyIfNoneMatch: boolean;
  /** A key below an object (`probe/…` beside `probe`) is stored and both are listed (MinIO lists only the object). */
  fileAndPrefix: boolean;
}

/** Extra parameters every write carries (ACL, SSE), so a bucket policy treats the probe like a real write. */
export type WriteParams = Pick<PutObjectCommandInput, 'ACL' | 'ServerSideEncryption'>;

/** Core hides keys whose name starts with `.statestore-tmp-` from listings (`isInternalKey`). */
export const PROBE_PREFIX = '.statestore-tmp-probe-';

const WRONG_ETAG = '"00000000000000000000000000000000"';

/**
 * Runs the probe in folder `dir` (`''` or ending in `/`). Throws the SDK error when the probe object
 * cannot be written at all; the caller decides what that means.
 */
export async function probePreconditions(client: S3Client, sdk: S3Sdk, bucket: string, dir: string, params: WriteParams): Promise<ProbeResult> {
  const Key = `${dir}${PROBE_PREFIX}${randomUUID()}`;
  const body = new TextEncoder().encode('statestore precondition probe; safe to delete\n');
  const put = (extra: Partial<PutObjectCommandInput>) => client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key, Body: body, ...params, ...extra }));
  /**
   * 'ok' when the request succeeded, 'refused' on 412, 'other' when the service rejects the header itself
   * (400, 501: it does not support it). Any other failure (5xx, a reset, a lost response) says nothing
   * about the service, so it is rethrown: the probe is inconclusive and runs again before the next write.
   */
  const outcome = async (request: Promise<unknown>): Promise<'ok' | 'refused' | 'other'> => {
    try {
      await request;
      return 'ok';
    } catch (e) {
      const status = httpStatus(e);
      if (status === 412) return 'refused';
      if (status === 400 || status === 501) return 'other';
      throw e;
    }
  };
  let created = false;
  try {
    // A new key with If-None-Match must be accepted (services with minio/minio#21526 refused it).
    const first = await outcome(put({ IfNoneMatch: '*' }));
    if (first !== 'ok') await put({});
    created = true;
    const etag = (await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key }))).ETag;
    const atomicCreate = first === 'ok' && (await outcome(put({ IfNoneMatch: '*' }))) === 'refused';
    const staleRefused = (await outcome(put({ IfMatch: WRONG_ETAG }))) === 'refused';
    const currentAccepted = etag !== undefined && (await outcome(put({ IfMatch: etag }))) === 'ok';
    // A self-copy (allowed with REPLACE) onto the existing object: an honouring service refuses it.
    const copyIfNoneMatch =
      (await outcome(
        client.send(new sdk.CopyObjectCommand({ Bucket: bucket, Key, CopySource: copySource(bucket, Key), MetadataDirective: 'REPLACE', IfNoneMatch: '*', ...params })),
      )) === 'refused';
    const fileAndPrefix = await bothListed(client, sdk, bucket, Key, body, params);
    const current = (await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key }))).ETag;
    const deleteOutcome = await outcome(client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key, IfMatch: WRONG_ETAG })));
    let conditionalDelete = false;
    if (deleteOutcome === 'refused' && current) {
      conditionalDelete = (await outcome(client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key, IfMatch: current })))) === 'ok';
    }
    return { atomicCreate, compareAndSwap: staleRefused && currentAccepted, conditionalDelete, copyIfNoneMatch, fileAndPrefix };
  } finally {
    if (created) await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => undefined);
  }
}

/** Writes a second probe object below `key` and lists both: true when the service keeps and lists them both. */
async function bothListed(client: S3Client, sdk: S3Sdk, bucket: string, key: string, body: Uint8Array, params: WriteParams): Promise<boolean> {
  const below = `${key}/${PROBE_PREFIX}below`;
  try {
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: below, Body: body, ...params }));
  } catch (e) {
    const status = httpStatus(e);
    if (status !== undefined && status >= 400 && status < 500) return false;
    throw e;
  }
  try {
    const listed = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
    const keys = new Set((listed.Contents ?? []).map((o) => o.Key));
    return keys.has(key) && keys.has(below);
  } finally {
    await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: below })).catch(() => undefined);
  }
}
