/**
 * Facts for `statestore doctor URL`: endpoint, addressing, where credentials come from, the bucket's
 * region and how it was found, whether s3:GetBucketLocation is allowed (with the cross-account
 * bucket-policy advice from the kops documentation when it is not), ACL, server-side encryption, and
 * the precondition probe's verdict. Never a secret.
 */
import type { Description } from '@statestore/core';
import { endpointForDisplay, type S3Config } from './config.js';
import type { BucketEncryption } from './encryption.js';
import { errorCode } from './errors.js';
import type { S3Backend } from './s3-backend.js';
import type { StoreState } from './store-state.js';

/** The bucket policy a bucket owner in another account adds so that kops and Statestore can find the bucket's region. */
export function crossAccountAdvice(bucket: string): string {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowStateStoreBucketLocation',
        Effect: 'Allow',
        Action: ['s3:GetBucketLocation'],
        Resource: `arn:aws:s3:::${bucket}`,
        Principal: { AWS: ['arn:aws:iam::ACCOUNT_ID:user/USER_OR_ROLE'] },
      },
    ],
  };
  return (
    `s3:GetBucketLocation is not allowed on ${bucket}, so the region was found another way (HeadBucket). ` +
    `If the bucket belongs to another AWS account, its owner must grant s3:GetBucketLocation to the identity running ` +
    `Statestore or kops, in the bucket policy: ${JSON.stringify(policy)}`
  );
}

export async function describeS3(config: S3Config, backend: S3Backend, state: StoreState): Promise<Description> {
  const facts: Description = {
    scheme: config.scheme,
    bucket: config.bucket,
    endpoint: config.endpoint ?? config.awsEndpoint ?? `AWS S3${config.dualStack ? ' (dual-stack endpoints)' : ''}`,
    addressing: config.forcePathStyle ? 'path-style' : 'virtual-hosted (path-style for bucket names that need it)',
    credentials: config.credentials.kind === 'static' ? config.credentials.source : `AWS SDK default chain${config.credentials.profile ? ` (profile ${config.credentials.profile})` : ''}`,
    acl: config.acl ? `${config.acl} (KOPS_STATE_S3_ACL)` : 'none (KOPS_STATE_S3_ACL is unset)',
    client: config.client === 'fast' ? 'fast: common requests on an undici pool, the rest through the AWS SDK (STATESTORE_S3_CLIENT=fast)' : 'AWS SDK (STATESTORE_S3_CLIENT=sdk)',
  };
  try {
    const { region, ...encryption } = await backend.facts();
    facts.region = region.region;
    facts.regionSource = region.source;
    if (region.start) facts.regionDiscoveryStart = `${region.start.region} (${region.start.source})`;
    if (region.getBucketLocation) {
      facts.getBucketLocationAllowed = region.getBucketLocation.allowed;
      if (!region.getBucketLocation.allowed) {
        facts.getBucketLocationError = region.getBucketLocation.code;
        facts.advice = crossAccountAdvice(config.bucket);
      }
    }
    facts.serverSideEncryption = describeEncryption(config, encryption);
    facts.requestEndpoint = endpointForDisplay(config, region.region);
  } catch (e) {
    facts.error = (e as Error).message;
    facts.errorCode = (e as { code?: string }).code ?? errorCode(e) ?? 'Unknown';
  }
  facts.preconditions = describeProbe(state);
  return facts;
}

function describeEncryption(config: S3Config, facts: { encryption?: BucketEncryption; sseSupport?: boolean }): string {
  const { encryption, sseSupport } = facts;
  if (config.sse === 'off' || !encryption) return 'not requested (STATESTORE_S3_SSE=off)';
  if (encryption.kind === 'default') return `bucket default encryption (${encryption.algorithm}); writes send no SSE header`;
  const always = `x-amz-server-side-encryption: AES256 on every write (STATESTORE_S3_SSE=${config.sse})`;
  if (config.endpoint) {
    if (sseSupport === true) return `${always}; the server was found to support it`;
    if (sseSupport === false) return config.sse === 'require' ? `the server was found unable to encrypt, so writes are refused (STATESTORE_S3_SSE=require)` : `none: the server was found unable to encrypt (STATESTORE_S3_SSE=auto)`;
    return `decided before the first write: AES256 if the server can encrypt${config.sse === 'require' ? ', otherwise writes are refused (STATESTORE_S3_SSE=require)' : ' (STATESTORE_S3_SSE=auto)'}`;
  }
  if (encryption.kind === 'none') return `${always} (the bucket has no default encryption)`;
  return `${always} (the default encryption could not be read: ${errorCode(encryption.error) ?? 'error'}; allow s3:GetEncryptionConfiguration)`;
}

function describeProbe(state: StoreState): string {
  const outcome = state.probeOutcome;
  if (!outcome) return 'not checked yet (a probe runs before the first conditional write)';
  const { atomicCreate, compareAndSwap, conditionalDelete, copyIfNoneMatch, fileAndPrefix } = outcome.result;
  const word = (honoured: boolean) => (honoured ? 'honoured' : 'IGNORED');
  const notHonoured = (honoured: boolean) => (honoured ? 'honoured' : 'not honoured');
  return `If-None-Match ${word(atomicCreate)}, If-Match ${word(compareAndSwap)}, If-Match on DELETE ${notHonoured(conditionalDelete)}, If-None-Match on copy ${notHonoured(copyIfNoneMatch)}, a key both a file and a prefix ${fileAndPrefix ? 'listed' : 'not listed (only the file shows)'}`;
}
