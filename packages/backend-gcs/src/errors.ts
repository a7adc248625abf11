/**
 * Cloud Storage SDK errors → core's typed errors: what is particular to Cloud Storage (its messages for
 * 401 and 403, a missing bucket, the SDK's own download check, node-fetch's timeouts, Google credentials
 * that cannot be found) here; HTTP statuses and network failures by the driver kit. Messages name the URL
 * and say what to do; the SDK's text is redacted before it is shown, and credentials never reach a message.
 */
import { PermissionDeniedError, StatestoreError, TransientError, isStatestoreError, redactSecrets } from '@statestore/core';
import { errorForStatus, networkError } from '@statestore/core/driver-kit';

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
  if (status !== undefined) {
    return errorForStatus(status, {
      url,
      service: 'Cloud Storage',
      action: 'access',
      detail,
      cause: error,
      messages: {
        unauthorized: `Cloud Storage rejected the credentials for ${url} (401: ${detail}). Set up Application Default Credentials (gcloud auth application-default login) or point GOOGLE_APPLICATION_CREDENTIALS at a key file.`,
        denied: `Permission denied for ${url} (403: ${detail}). Grant the account storage.objects.* permissions on bucket ${context.bucket} (e.g. roles/storage.objectAdmin), or use other credentials.`,
        notFound: context.notFound ?? `File not found: ${url}`,
      },
    });
  }
  const network = networkError(error, { url, service: 'Cloud Storage', endpointSetting: 'STORAGE_EMULATOR_HOST' });
  if (network) return network;
  const e = error as SdkErrorShape;
  // The SDK's own check that downloaded bytes match the stored hash, and node-fetch's timeouts: a new attempt may succeed.
  if (e?.code === 'CONTENT_DOWNLOAD_MISMATCH' || e?.type === 'request-timeout' || e?.type === 'body-timeout') {
    return new TransientError(`Connection to Cloud Storage failed for ${url}: ${detail}`, options);
  }
  if (/default credentials|metadata server|invalid_grant|Could not refresh access token/i.test(detail)) {
    return new PermissionDeniedError(
      `No usable Google credentials for ${url}: ${detail}. Run gcloud auth application-default login, set GOOGLE_APPLICATION_CREDENTIALS to a key file, or run where the metadata server answers (GCE, GKE, Cloud Run).`,
      options,
    );
  }
  return new StatestoreError('Unknown', `Cloud Storage request for ${url} failed: ${detail}`, options);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0]!.trim() || error.name;
  return String(error);
}
