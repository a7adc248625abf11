/**
 * Finding a bucket's region as kops does: with S3_ENDPOINT it is S3_REGION (default us-east-1). On AWS,
 * discovery starts from AWS_REGION, else the EC2 metadata region, else us-east-1, and asks
 * GetBucketLocation (empty means us-east-1, `EU` means eu-west-1); when that is refused, HeadBucket's
 * x-amz-bucket-region header answers (also on a 301 or 403). Callers cache the result per bucket.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ec2Region } from './ec2-metadata.js';
import { endpointForDisplay, type S3Config } from './config.js';
import { errorCode, httpStatus, mapS3Error } from './errors.js';
import type { S3Sdk } from './sdk.js';

/** Where the region came from, and what discovery learnt on the way (for `statestore doctor`). */
export interface RegionInfo {
  region: string;
  source: 'S3_REGION' | 'S3_REGION default' | 'GetBucketLocation' | 'HeadBucket';
  /** On AWS: the region discovery started from, and why. */
  start?: { region: string; source: 'AWS_REGION' | 'EC2 metadata' | 'default' };
  /** On AWS: whether s3:GetBucketLocation was allowed; when not, the error code. */
  getBucketLocation?: { allowed: true } | { allowed: false; code: string };
}

/** The region of `config.bucket`. NotFoundError when the bucket does not exist. */
export async function resolveRegion(config: S3Config, sdk: S3Sdk, clientIn: (region: string) => Promise<S3Client>): Promise<RegionInfo> {
  if (config.endpoint) {
    return { region: config.fixedRegion ?? 'us-east-1', source: config.env.S3_REGION?.trim() ? 'S3_REGION' : 'S3_REGION default' };
  }
  const start = await startRegion(config);
  const client = await clientIn(start.region);
  const bucketUrl = `${config.scheme}://${config.bucket}/`;
  try {
    const out = await client.send(new sdk.GetBucketLocationCommand({ Bucket: config.bucket }));
    return { region: normalizeLocation(out.LocationConstraint), source: 'GetBucketLocation', start, getBucketLocation: { allowed: true } };
  } catch (locationError) {
    if (errorCode(locationError) === 'NoSuchBucket') throw mapError(locationError, config, bucketUrl, 's3:GetBucketLocation', start.region);
    const getBucketLocation = { allowed: false as const, code: errorCode(locationError) ?? String(httpStatus(locationError) ?? 'error') };
    try {
      const head = await client.send(new sdk.HeadBucketCommand({ Bucket: config.bucket }));
      if (head.BucketRegion) return { region: head.BucketRegion, source: 'HeadBucket', start, getBucketLocation };
    } catch (headError) {
      const region = (headError as { $response?: { headers?: Record<string, string | undefined> } }).$response?.headers?.['x-amz-bucket-region'];
      if (region) return { region, source: 'HeadBucket', start, getBucketLocation };
      if (httpStatus(headError) === 404) {
        throw mapError(Object.assign(headError as object, { Code: 'NoSuchBucket' }), config, bucketUrl, 's3:ListBucket', start.region);
      }
    }
    const mapped = mapError(locationError, config, bucketUrl, 's3:GetBucketLocation', start.region);
    mapped.message = `Cannot find the region of bucket ${config.bucket}: GetBucketLocation failed and HeadBucket gave no region. Set AWS_REGION to the bucket's region. ${mapped.message}`;
    throw mapped;
  }
}

/** GetBucketLocation's answer as a region name. */
export function normalizeLocation(location: string | undefined): string {
  if (!location) return 'us-east-1';
  if (location === 'EU') return 'eu-west-1';
  return location;
}

async function startRegion(config: S3Config): Promise<NonNullable<RegionInfo['start']>> {
  if (config.awsRegion) return { region: config.awsRegion, source: 'AWS_REGION' };
  const fromMetadata = await ec2Region(config.metadata);
  if (fromMetadata) return { region: fromMetadata, source: 'EC2 metadata' };
  return { region: 'us-east-1', source: 'default' };
}

function mapError(error: unknown, config: S3Config, url: string, action: string, region: string): Error {
  return mapS3Error(error, { url, bucket: config.bucket, endpoint: endpointForDisplay(config, region), action });
}
