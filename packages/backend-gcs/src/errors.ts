/**
 * Cloud Storage SDK errors → core's typed errors. 404 NotFound, 412 PreconditionFailed, 401/403
 * PermissionDenied, 408/429/5xx and dropped connections Transient. Messages name the URL and say what to
 * do; the SDK's text is redacted before it is shown, and credentials never reach a message.
 */
import {
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  StatestoreError,
  TransientError,
  isStatestoreError,
  redactSecrets,
} from '@statestore/core';

/** Network failures that may succeed on a retry. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  // The SDK's own check that downloaded bytes match the stored hash: a re-read may succeed.
  'CONTENT_DOWNLOAD_MISMATCH',
]);

interface SdkErrorShape {
  code?: unknown;
  status?: unknown;
  type?: unknown;
  message?: unknown;
  response?: { status?: unknown; statusCode?: unknown };
}

/** The HTTP status of an SDK error (ApiError.code, GaxiosError.status), if it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as SdkErrorShape;
  for (const candidate of [e.code, e.status, e.response?.status, e.response?.statusCode]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
    if (typeof candidate === 'string' && /^[1-5]\d\d$/.test(candidate)) return Number(candidate);
  }
  return undefined;
}

export interface ErrorContext {
  /** The gs:// URL the operation was about. */
  url: string;
  bucket: string;
  /** What a 404 means here, when it is not simply "this object is missing" (e.g. a listing: the bucket). */
  notFound?: string;
}

/** Maps any error from the SDK (or the network below it) to a core error naming `context.url`. */
export function mapGcsError(error: unknown, context: ErrorContext): StatestoreError {
  if (isStatestoreError(error)) return error;
  const { url } = context;
  const detail = redactSecrets(messageOf(error));
  const status = httpStatusOf(error);
  const options = { url, cause: error };
  switch (status) {
    case 404:
      return new NotFoundError(context.notFound ?? `File not found: ${url}`, options);
    case 412:
      return new PreconditionFailedError(`${url} changed since it was read (its generation no longer matches); read it again and retry`, options);
    case 401:
      return new PermissionDeniedError(
        `Cloud Storage rejected the credentials for ${url} (401: ${detail}). Set up Application Default Credentials (gcloud auth application-default login) or point GOOGLE_APPLICATION_CREDENTIALS at a key file.`,
        options,
      );
    case 403:
      return new PermissionDeniedError(
        `Permission denied for ${url} (403: ${detail}). Grant the account storage.objects.* permissions on bucket ${context.bucket} (e.g. roles/storage.objectAdmin), or use other credentials.`,
        options,
      );
    case 408:
    case 429:
      return new TransientError(`Cloud Storage asked to slow down or timed out for ${url} (${status}: ${detail})`, options);
  }
  if (status !== undefined && status >= 500) return new TransientError(`Cloud Storage failed for ${url} (${status}: ${detail}); this is usually temporary`, options);
  if (isNetworkError(error)) return new TransientError(`Connection to Cloud Storage failed for ${url}: ${detail}`, options);
  if (/default credentials|metadata server|invalid_grant|Could not refresh access token/i.test(detail)) {
    return new PermissionDeniedError(
      `No usable Google credentials for ${url}: ${detail}. Run gcloud auth application-default login, set GOOGLE_APPLICATION_CREDENTIALS to a key file, or run where the metadata server answers (GCE, GKE, Cloud Run).`,
      options,
    );
  }
  return new StatestoreError('Unknown', `Cloud Storage request for ${url} failed${status ? ` (${status})` : ''}: ${detail}`, options);
}

function isNetworkError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkErrorShape;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  // node-fetch (below the SDK) reports timeouts and socket failures as FetchError with a `type`.
  return e.type === 'request-timeout' || e.type === 'body-timeout';
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0]!.trim() || error.name;
  return String(error);
}
