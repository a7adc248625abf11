/**
 * ali-oss errors → core's typed errors. ali-oss reports the service's error as `code` (the OSS error code,
 * e.g. NoSuchKey) and `status` (HTTP; -1 for a network failure, -2 for a timeout). A 403 is always
 * PermissionDenied — never "absent" (kops treated 403 as not-found and would then try to create the file).
 * 404 NotFound, 409 FileAlreadyExists AlreadyExists, 412 PreconditionFailed, NotImplemented Unsupported,
 * 408/429/5xx and network failures Transient. Messages name the URL and say what to do; the SDK's text is
 * redacted, and credentials never reach a message.
 */
import {
  AlreadyExistsError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  StatestoreError,
  TransientError,
  UnsupportedError,
  isStatestoreError,
  redactSecrets,
} from '@statestore/core';

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMEOUT_NAMES = new Set(['ResponseTimeoutError', 'ConnectionTimeoutError', 'RequestTimeoutError', 'SocketTimeoutError', 'ResponseError', 'RequestError']);

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
  if (status === 404) return new NotFoundError(context.notFound ?? `File not found: ${url}`, options);
  if (status === 412) return new PreconditionFailedError(`${url} changed since it was read; read it again and retry`, options);
  if (status === 401 || status === 403) return new PermissionDeniedError(`${permissionHint(code, url, bucket)} (${status}: ${detail})`, options);
  if (status === 408 || status === 429) return new TransientError(`OSS asked to slow down or timed out for ${url} (${status}: ${detail})`, options);
  if (status !== undefined && status >= 500) return new TransientError(`OSS failed for ${url} (${status}: ${detail}); this is usually temporary`, options);
  if (isNetworkError(error)) return new TransientError(`Connection to OSS failed for ${url}: ${detail}`, options);
  return new StatestoreError('Unknown', `OSS request for ${url} failed${status ? ` (${status})` : ''}: ${detail}`, options);
}

function permissionHint(code: string | undefined, url: string, bucket: string): string {
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
      return `Permission denied for ${url}; grant the RAM user or role oss:GetObject, oss:PutObject, oss:DeleteObject and oss:ListObjects on bucket ${bucket}, or use other credentials`;
  }
}

function isNetworkError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AliErrorShape;
  if (e.status === -1 || e.status === -2) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  return typeof e.name === 'string' && TIMEOUT_NAMES.has(e.name);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0]!.trim() || error.name;
  return String(error);
}
