/**
 * Mapping AWS SDK errors to core's typed errors. Messages name the URL (and the bucket and the IAM
 * action where that helps) and say what to do; the SDK's own text is redacted, credentials never appear.
 */
import {
  AlreadyExistsError,
  InvalidConfigError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  StatestoreError,
  TransientError,
  UnsupportedError,
  isStatestoreError,
  redactSecrets,
} from '@statestore/core';
import { isTransientStatus, networkError } from '@statestore/core/driver-kit';

/** What the failing request was, for the message. */
export interface ErrorContext {
  /** The URL the operation was about (object, folder or bucket root). */
  url: string;
  bucket: string;
  /** Endpoint shown in messages. */
  endpoint: string;
  /** The IAM action the request needs, e.g. `s3:PutObject`. */
  action: string;
  /** The write carried If-None-Match: * (a 412 then means the object exists). */
  ifNoneMatch?: boolean;
  /** The request carried If-Match (a 412, or a 404 on a write, means the version changed). */
  ifMatch?: boolean;
  /** Extra actions the request needs, e.g. `s3:PutObjectAcl` when an ACL is sent. */
  alsoNeeds?: string[];
  /** The request asked for server-side encryption (a 501 then means the server cannot encrypt). */
  sse?: boolean;
}

/** Fields the SDK puts on its errors (service errors and network errors alike). */
interface SdkErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  code?: string;
  $retryable?: unknown;
  /** clockSkewCorrected: the answer said our clock is off, and requests are now signed with the server's time. */
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
  $response?: { headers?: Record<string, string | undefined> };
}

const TRANSIENT_CODES = new Set([
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ConditionalRequestConflict',
  'OperationAborted',
  'XMinioServerNotInitialized',
]);

const DENIED_CODES = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled', 'AccountProblem']);
const BAD_CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'TokenRefreshRequired', 'CredentialsProviderError']);
const WRONG_REGION = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', '301']);

/** The S3 error code of an SDK error (`NoSuchKey`, `AccessDenied`, …), or its name. */
export function errorCode(error: unknown): string | undefined {
  const e = error as SdkErrorShape | undefined;
  return e?.Code ?? e?.name;
}

/** The HTTP status of an SDK error, when there was a response. */
export function httpStatus(error: unknown): number | undefined {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** Turns any error from an S3 request into a core error. Statestore errors and user aborts pass through. */
export function mapS3Error(error: unknown, ctx: ErrorContext): Error {
  if (isStatestoreError(error)) return error;
  const e = (error ?? {}) as SdkErrorShape;
  if (e.name === 'AbortError') return error as Error;
  const code = errorCode(error) ?? 'Unknown';
  const status = httpStatus(error);
  const detail = redactSecrets(`${code}${status ? `, HTTP ${status}` : ''}: ${e.message ?? String(error)}`);
  const options = { url: ctx.url, cause: error };

  if (code === 'NoSuchBucket') {
    return new NotFoundError(
      `Bucket ${ctx.bucket} does not exist at ${ctx.endpoint} (${ctx.url}): check the bucket name, and that the endpoint and credentials are for the account that owns it`,
      options,
    );
  }
  if (code === 'PreconditionFailed' || status === 412) {
    if (ctx.ifNoneMatch) return new AlreadyExistsError(`File already exists: ${ctx.url}; read it, or remove it first`, options);
    return new PreconditionFailedError(`${ctx.url} changed since it was read (its version no longer matches); read it again and retry`, options);
  }
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) {
    if (ctx.ifMatch) return new PreconditionFailedError(`${ctx.url} no longer exists (it was removed since it was read); read it again and retry`, options);
    return new NotFoundError(`File not found: ${ctx.url}; check the path, or list its folder`, options);
  }
  if (code === 'RequestTimeTooSkewed') {
    // Both clients then sign with the server's time (the SDK's clock-skew correction): a retry succeeds.
    const clock = `this machine's clock is more than 15 minutes off the clock of ${ctx.endpoint}, which S3 refuses`;
    if (e.$metadata?.clockSkewCorrected) return new TransientError(`${ctx.action} on ${ctx.url}: ${clock}; signing with the server's time from now on. Set this machine's clock right (NTP) (${detail})`, options);
    return new InvalidConfigError(`${ctx.action} on ${ctx.url} was refused: ${clock}. Set this machine's clock right (NTP) (${detail})`, options);
  }
  if (BAD_CREDENTIALS.has(code)) {
    return new PermissionDeniedError(
      `The credentials were refused by ${ctx.endpoint} for ${ctx.action} on ${ctx.url} (${code}): check the access key and secret (S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY with S3_ENDPOINT, otherwise the AWS credential chain), and the system clock`,
      options,
    );
  }
  if (DENIED_CODES.has(code) || status === 403) {
    const actions = [ctx.action, ...(ctx.alsoNeeds ?? [])].join(' and ');
    const missingKeyHint = ctx.action === 's3:GetObject' ? ' (S3 also answers 403 for a missing file when s3:ListBucket is not allowed)' : '';
    return new PermissionDeniedError(
      `Permission denied: ${actions} on bucket ${ctx.bucket} (${ctx.url}) was refused${missingKeyHint}. Allow ${actions} on arn:aws:s3:::${ctx.bucket}${ctx.action === 's3:ListBucket' || ctx.action.startsWith('s3:GetBucket') ? '' : '/*'} for these credentials, in the IAM policy or the bucket policy. (${detail})`,
      options,
    );
  }
  if (WRONG_REGION.has(code) || status === 301) {
    const region = e.$response?.headers?.['x-amz-bucket-region'];
    return new InvalidConfigError(
      `Bucket ${ctx.bucket} is in ${region ? `region ${region}` : 'another region'}, not the one requests were signed for (${ctx.url}). Set ${ctx.endpoint.includes('amazonaws.com') ? 'AWS_REGION' : 'S3_REGION'}${region ? `=${region}` : ''}, or unset it so the region is discovered`,
      options,
    );
  }
  if (code === 'NotImplemented' || status === 501) {
    // Never retried: the server will not implement it on the next attempt either.
    if (ctx.sse) {
      return new UnsupportedError(
        `${ctx.endpoint} cannot encrypt objects on the server: it refused x-amz-server-side-encryption: AES256 on ${ctx.url} (${detail}), so nothing was written. ` +
          'Configure encryption on the server (for MinIO, a KMS), or set STATESTORE_S3_SSE=off to write without server-side encryption (STATESTORE_S3_SSE=auto checks a custom endpoint again and writes without it when it cannot encrypt).',
        options,
      );
    }
    return new UnsupportedError(`${ctx.endpoint} does not implement ${ctx.action} as requested on ${ctx.url} (${detail}); use a service that supports it`, options);
  }
  if (TRANSIENT_CODES.has(code) || (status !== undefined && isTransientStatus(status)) || e.$retryable) {
    return new TransientError(`${ctx.action} on ${ctx.url} failed, probably temporarily (${detail})`, options);
  }
  const network = networkError(error, { url: ctx.url, service: `S3 at ${ctx.endpoint}`, caVariable: 'AWS_CA_BUNDLE', endpointSetting: 'S3_ENDPOINT' });
  if (network) return network;
  return new StatestoreError('Unknown', `${ctx.action} on ${ctx.url} failed (${detail})`, options);
}
