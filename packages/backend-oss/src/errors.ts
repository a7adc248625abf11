/**
 * ali-oss errors → core's typed errors. ali-oss reports the service's error as `code` (the OSS error code,
 * e.g. NoSuchKey) and `status` (HTTP; -1 for a network failure, -2 for a timeout). A 403 is always
 * PermissionDenied — never "absent" (kops treated 403 as not-found and would then try to create the file).
 * What is particular to OSS (its error codes, urllib's failures without a status, what a 403 code means)
 * is here; other HTTP statuses and network failures are mapped by the driver kit. Messages name the URL
 * and say what to do; the SDK's text is redacted, and credentials never reach a message.
 */
import { AlreadyExistsError, NotFoundError, StatestoreError, TransientError, UnsupportedError, isStatestoreError, redactSecrets } from '@statestore/core';
import { errorForStatus, networkError } from '@statestore/core/driver-kit';

/** urllib's names for a request that got no answer. */
const NO_ANSWER = new Set(['ResponseError', 'RequestError']);

interface AliErrorShape {
  status?: unknown;
  code?: unknown;
  name?: unknown;
  requestId?: unknown;
}

export interface ErrorContext {
  /** The oss:// URL the operation was about. */
  url: string;
  bucket: string;
  /** What a 404 means here, when not "this object is missing". */
  notFound?: string;
  /** The RAM permission the operation needs, when not the read/write/list ones a 403 names by default. */
  permission?: string;
}

/** The OSS error code (NoSuchKey, SignatureDoesNotMatch, …) of an ali-oss error, if any. */
export function ossCodeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as AliErrorShape).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function httpStatusOf(error: unknown): number | undefined {
  const status = typeof error === 'object' && error !== null ? (error as AliErrorShape).status : undefined;
  return typeof status === 'number' ? status : undefined;
}

/** Maps any error from ali-oss (or the network below it) to a core error naming `context.url`. */
export function mapOssError(error: unknown, context: ErrorContext): StatestoreError {
  if (isStatestoreError(error)) return error;
  const { url, bucket } = context;
  const code = ossCodeOf(error);
  const status = httpStatusOf(error);
  const requestId = typeof (error as AliErrorShape)?.requestId === 'string' ? `, request ${(error as AliErrorShape).requestId as string}` : '';
  const detail = `${redactSecrets(messageOf(error))}${code ? ` [${code}${requestId}]` : ''}`;
  const options = { url, cause: error };

  if (code === 'NoSuchBucket') {
    return new NotFoundError(`Bucket ${bucket} does not exist (${url}); create it, or check the bucket name, OSS_REGION and OSS_ENDPOINT`, options);
  }
  if (code === 'FileAlreadyExists') return new AlreadyExistsError(`File already exists: ${url}; read it, or remove it first`, options);
  if (code === 'NotImplemented') return new UnsupportedError(`OSS does not support what was asked for ${url}: ${detail}`, options);
  if (status !== undefined && status > 0) {
    const denied = `${permissionHint(code, url, bucket, context.permission)} (${status}: ${detail})`;
    return errorForStatus(status, {
      url,
      service: 'OSS',
      action: 'access',
      detail,
      cause: error,
      messages: { unauthorized: denied, denied, notFound: context.notFound ?? `File not found: ${url}` },
    });
  }
  const network = networkError(error, { url, service: 'OSS', endpointSetting: 'OSS_ENDPOINT' });
  if (network) return network;
  // urllib's status -1 (no connection) and -2 (timed out), and its failures without an answer: a retry may succeed.
  if (status !== undefined || (typeof (error as AliErrorShape)?.name === 'string' && NO_ANSWER.has((error as AliErrorShape).name as string))) {
    return new TransientError(`Connection to OSS failed for ${url}: ${detail}`, options);
  }
  return new StatestoreError('Unknown', `OSS request for ${url} failed: ${detail}`, options);
}

function permissionHint(code: string | undefined, url: string, bucket: string, permission: string | undefined): string {
  switch (code) {
    case 'SignatureDoesNotMatch':
      return `OSS rejected the request signature for ${url}: the AccessKey secret does not belong to the AccessKey ID; check ALIYUN_ACCESS_KEY_SECRET`;
    case 'InvalidAccessKeyId':
      return `OSS does not know the AccessKey ID used for ${url}, or it is disabled; check ALIYUN_ACCESS_KEY_ID`;
    case 'SecurityTokenExpired':
    case 'InvalidSecurityToken':
    case 'AccessKeyIdAndSecurityTokenNotMatch':
      return `OSS refused the STS security token for ${url} (expired, or not issued with this AccessKey); get fresh STS credentials (ALIYUN_SECURITY_TOKEN with its AccessKey pair) or use the ECS RAM role`;
    case 'RequestTimeTooSkewed':
      return `OSS refused the request for ${url} because this machine's clock is more than 15 minutes off; fix the clock (NTP)`;
    default:
      if (permission) return `Permission denied for ${url}; grant the RAM user or role ${permission} on bucket ${bucket}, or use other credentials`;
      return `Permission denied for ${url}; grant the RAM user or role oss:GetObject, oss:PutObject, oss:DeleteObject and oss:ListObjects on bucket ${bucket}, or use other credentials`;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0]!.trim() || error.name;
  return String(error);
}
