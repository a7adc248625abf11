/**
 * Credentials are never printed, whatever holds them: a `user:password@` part in S3_ENDPOINT or
 * AWS_ENDPOINT_URL_S3 (dropped: S3 signs requests, so the endpoint still works), a key pair pasted into the
 * store URL with a secret containing `/`, and `?token=`, `X-Amz-Signature=`, `X-Amz-Credential=` in it.
 * Errors (with their causes), describe() and notices are checked, against MinIO.
 */
import { describe, expect, it } from 'vitest';
import { parseUrl } from '@statestore/core';
import { credentialUrls, leakedSecrets, shownBy, withUserinfo } from '@statestore/testkit/credential-forms';
import plugin from '../src/index.js';
import { memoryLogger, minio, minioEnv, newBucket, openS3 } from './helpers.js';

describe('credentials are never printed', () => {
  it.each(credentialUrls('s3', 'creds-bucket', 'cluster/config'))('a store URL with $form', async ({ url }) => {
    const logger = memoryLogger();
    const shown = await shownBy(async () => (await openS3(url, { logger, retry: { maxAttempts: 1 } })).readFile());
    expect(shown).toContain('***');
    expect(leakedSecrets(shown + logger.lines.join('\n'))).toEqual([]);
  });

  it('S3_ENDPOINT with user:password@ still works, and no message, notice or description shows the password', async () => {
    const endpoint = withUserinfo(minio().endpoint);
    const bucket = await newBucket('creds');
    const logger = memoryLogger();
    const file = await openS3(`s3://${bucket}/config`, { endpoint, logger });
    await file.writeFile('kind: Cluster');
    expect(await file.readText()).toBe('kind: Cluster');
    const missingBucket = await shownBy(async () => (await openS3('s3://no-such-bucket-creds/x', { endpoint, retry: { maxAttempts: 1 } })).readFile());
    expect(missingBucket).toContain(new URL(minio().endpoint).host); // the endpoint is named, without its password
    const description = await shownBy(() => plugin.describe!(parseUrl(`s3://${bucket}/`), { env: minioEnv({}, endpoint), options: {}, warn: () => undefined }));
    expect(description).toContain(new URL(minio().endpoint).host);
    expect(leakedSecrets([missingBucket, description, ...logger.lines].join('\n'))).toEqual([]);
  });

  it('AWS_ENDPOINT_URL_S3 with user:password@: errors and the description name the endpoint without the password', async () => {
    const env = { AWS_ENDPOINT_URL_S3: withUserinfo('http://127.0.0.1:9'), AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key', AWS_EC2_METADATA_DISABLED: 'true' };
    const unreachable = await shownBy(async () => (await openS3('s3://creds-aws/x', { env: { ...env, S3_ENDPOINT: '' }, retry: { maxAttempts: 1 } })).readFile());
    const description = await shownBy(() => plugin.describe!(parseUrl('s3://creds-aws/'), { env, options: {}, warn: () => undefined }));
    expect(description).toContain('127.0.0.1:9');
    expect(leakedSecrets(`${unreachable}\n${description}`)).toEqual([]);
  });
});
