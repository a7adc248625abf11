/**
 * A bucket's default encryption (GetBucketEncryption), which decides two things: whether writes on s3://
 * send `x-amz-server-side-encryption: AES256` (kops sends it unless the bucket encrypts by default), and
 * whether listed ETags can be trusted as MD5 (not under SSE-KMS).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { errorCode } from './errors.js';
import type { S3Sdk } from './sdk.js';

export type BucketEncryption =
  /** No default encryption configured. */
  | { kind: 'none' }
  /** Default encryption with this algorithm (`AES256`, `aws:kms`, `aws:kms:dsse`). */
  | { kind: 'default'; algorithm: string }
  /** The check failed; `error` is the error it failed with. */
  | { kind: 'unknown'; error: unknown };

export async function bucketEncryption(client: S3Client, sdk: S3Sdk, bucket: string): Promise<BucketEncryption> {
  try {
    const out = await client.send(new sdk.GetBucketEncryptionCommand({ Bucket: bucket }));
    const rule = out.ServerSideEncryptionConfiguration?.Rules?.find((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm);
    const algorithm = rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    return algorithm ? { kind: 'default', algorithm } : { kind: 'none' };
  } catch (error) {
    if (errorCode(error) === 'ServerSideEncryptionConfigurationNotFoundError') return { kind: 'none' };
    return { kind: 'unknown', error };
  }
}

/** KMS-encrypted objects have ETags that are not the MD5 of their content. */
export function isKms(algorithm: string | undefined): boolean {
  return algorithm !== undefined && algorithm.startsWith('aws:kms');
}
