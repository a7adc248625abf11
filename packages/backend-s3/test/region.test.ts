/**
 * Region discovery on AWS, as kops does it, against a metadata and S3 endpoint served on 127.0.0.1 (the
 * SDK's AWS_ENDPOINT_URL_S3 and AWS_EC2_METADATA_SERVICE_ENDPOINT point there): AWS_REGION, else the EC2
 * metadata region, else us-east-1, then GetBucketLocation (empty → us-east-1, EU → eu-west-1) with a
 * HeadBucket fallback, cached per bucket; doctor's facts and the cross-account advice.
 */
import { randomUUID } from 'node:crypto';
import { isNotFound, parseUrl, resolvePath, type VfsPath } from '@statestore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { startAwsRegionServer, type AwsRegionServer, type FakeBucket } from './aws-region-server.js';
import { CACHE_DIR, registry } from './helpers.js';

const METADATA_REGION = 'ap-southeast-2';
let server: AwsRegionServer;
beforeAll(async () => {
  server = await startAwsRegionServer(METADATA_REGION);
});
afterAll(() => server.stop());

function awsEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { AWS_ENDPOINT_URL_S3: server.endpoint, AWS_ACCESS_KEY_ID: 'AKIDREGIONTEST', AWS_SECRET_ACCESS_KEY: 'region-test-secret', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

function bucket(spec: FakeBucket): string {
  const name = `region-${randomUUID().slice(0, 8)}`;
  server.buckets.set(name, spec);
  return name;
}

const open = (url: string, env: NodeJS.ProcessEnv): Promise<VfsPath> => resolvePath(url, { registry, env, retry: { maxAttempts: 1 } });
const seen = (name: string) => server.requests.filter((r) => r.path === `/${name}` || r.path.startsWith(`/${name}/`));
const locationRequests = (name: string) => seen(name).filter((r) => r.query.has('location'));
const listRequests = (name: string) => seen(name).filter((r) => r.query.get('list-type') === '2');

describe('region discovery on AWS', () => {
  it('starts from AWS_REGION, then uses the region GetBucketLocation reports', async () => {
    const name = bucket({ location: 'eu-central-1' });
    await (await open(`s3://${name}/cluster`, awsEnv({ AWS_REGION: 'eu-north-1' }))).readDir();
    expect(locationRequests(name).map((r) => r.signingRegion)).toEqual(['eu-north-1']);
    expect(listRequests(name).map((r) => r.signingRegion)).toEqual(['eu-central-1']);
  });

  it('without AWS_REGION, asks the EC2 metadata service (IMDSv2) for the region to start from', async () => {
    const name = bucket({ location: 'sa-east-1' });
    const before = server.requests.filter((r) => r.path.startsWith('/latest/')).length;
    const env = awsEnv({ AWS_EC2_METADATA_DISABLED: '', AWS_EC2_METADATA_SERVICE_ENDPOINT: server.endpoint });
    await (await open(`s3://${name}/`, env)).readDir();
    const metadata = server.requests.filter((r) => r.path.startsWith('/latest/')).slice(before);
    expect(metadata.map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /latest/api/token', 'GET /latest/meta-data/placement/region']);
    expect(locationRequests(name).map((r) => r.signingRegion)).toEqual([METADATA_REGION]);
    expect(listRequests(name).map((r) => r.signingRegion)).toEqual(['sa-east-1']);
  });

  it('without AWS_REGION or metadata, starts from us-east-1; an empty location means us-east-1, EU means eu-west-1', async () => {
    const empty = bucket({ location: '' });
    const eu = bucket({ location: 'EU' });
    await (await open(`s3://${empty}/`, awsEnv())).readDir();
    await (await open(`s3://${eu}/`, awsEnv())).readDir();
    expect(locationRequests(empty).map((r) => r.signingRegion)).toEqual(['us-east-1']);
    expect(listRequests(empty).map((r) => r.signingRegion)).toEqual(['us-east-1']);
    expect(listRequests(eu).map((r) => r.signingRegion)).toEqual(['eu-west-1']);
  });

  it('when GetBucketLocation is refused, HeadBucket’s x-amz-bucket-region answers (also on a 301)', async () => {
    const name = bucket({ denyLocation: true, headStatus: 301, headRegion: 'ca-central-1' });
    await (await open(`s3://${name}/x`, awsEnv({ AWS_REGION: 'us-west-2' }))).readDir();
    expect(seen(name).filter((r) => r.method === 'HEAD')).toHaveLength(1);
    expect(listRequests(name).map((r) => r.signingRegion)).toEqual(['ca-central-1']);
  });

  it('is cached per bucket: many stores and listings, one GetBucketLocation', async () => {
    const name = bucket({ location: 'us-west-1' });
    for (let i = 0; i < 3; i++) {
      const root = await open(`s3://${name}/p${i}`, awsEnv());
      await root.readDir();
      await root.readTree();
    }
    expect(locationRequests(name)).toHaveLength(1);
    expect(listRequests(name)).toHaveLength(6);
    expect(listRequests(name).every((r) => r.signingRegion === 'us-west-1')).toBe(true);
  });

  it('a bucket that does not exist is NotFound naming the bucket', async () => {
    const e = await (await open('s3://no-such-bucket-here/x', awsEnv())).readDir().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isNotFound(e)).toBe(true);
    expect((e as Error).message).toContain('Bucket no-such-bucket-here does not exist');
  });
});

describe('describe() for statestore doctor', () => {
  const context = (env: NodeJS.ProcessEnv) => ({ env, options: {}, warn: () => undefined });

  it('reports the region, how it was found, and that GetBucketLocation is allowed', async () => {
    const name = bucket({ location: 'eu-west-3' });
    const facts = await plugin.describe!(parseUrl(`s3://${name}/cluster`), context(awsEnv({ AWS_REGION: 'us-east-2', KOPS_STATE_S3_ACL: 'bucket-owner-full-control' })));
    expect(facts).toMatchObject({
      scheme: 's3',
      bucket: name,
      region: 'eu-west-3',
      regionSource: 'GetBucketLocation',
      regionDiscoveryStart: 'us-east-2 (AWS_REGION)',
      getBucketLocationAllowed: true,
      credentials: 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
      acl: 'bucket-owner-full-control (KOPS_STATE_S3_ACL)',
    });
    expect(facts.advice).toBeUndefined();
    expect(JSON.stringify(facts)).not.toContain('region-test-secret');
  });

  it('when s3:GetBucketLocation is refused, says so and gives the cross-account bucket-policy advice', async () => {
    const name = bucket({ denyLocation: true, headStatus: 403, headRegion: 'eu-south-1' });
    const facts = await plugin.describe!(parseUrl(`s3://${name}/`), context(awsEnv()));
    expect(facts).toMatchObject({ region: 'eu-south-1', regionSource: 'HeadBucket', getBucketLocationAllowed: false, getBucketLocationError: 'AccessDenied' });
    expect(facts.advice).toContain('s3:GetBucketLocation');
    expect(facts.advice).toContain(`"Resource":"arn:aws:s3:::${name}"`);
    expect(facts.advice).toMatch(/another AWS account/);
  });

  it('with S3_ENDPOINT reports S3_REGION and path-style addressing without asking the bucket', async () => {
    const name = bucket({ location: 'ignored' });
    const facts = await plugin.describe!(
      parseUrl(`do://${name}/`),
      context({ S3_ENDPOINT: server.endpoint, S3_ACCESS_KEY_ID: 'AKID', S3_SECRET_ACCESS_KEY: 'secret-value', S3_REGION: 'nyc3', STATESTORE_CACHE: CACHE_DIR }),
    );
    expect(facts).toMatchObject({ region: 'nyc3', regionSource: 'S3_REGION', addressing: 'path-style', endpoint: server.endpoint });
    expect(facts.client).toMatch(process.env.STATESTORE_S3_CLIENT === 'sdk' ? /^AWS SDK \(STATESTORE_S3_CLIENT=sdk\)$/ : /STATESTORE_S3_CLIENT=fast/);
    expect(facts.serverSideEncryption).toMatch(/decided before the first write: AES256 if the server can encrypt/);
    expect(locationRequests(name)).toHaveLength(0);
  });
});
