/**
 * Mapping Swift and Keystone HTTP answers and network failures to core's typed errors. Messages name the
 * URL (or the auth URL) and say what to do; they never contain a token, password or secret.
 */
import {
  NotFoundError,
  PermissionDeniedError,
  StatestoreError,
  TransientError,
  UnsupportedError,
  redactSecrets,
} from '@statestore/core';

/** What a failed request was about, for the message. */
export interface FailureContext {
  /** The swift:// URL (or the auth URL for authentication). */
  url: string;
  /** e.g. `read`, `write`, `list`, `authenticate with Keystone`. */
  action: string;
  status: number;
  /** The response body (trimmed and redacted before it is shown). */
  body?: string;
}

/** An error for an HTTP status that the caller did not handle itself. */
export function errorForStatus(c: FailureContext): StatestoreError {
  const detail = describeBody(c.body);
  const options = { url: c.url };
  if (c.status === 401 || c.status === 403) {
    return new PermissionDeniedError(
      `Swift refused to ${c.action} ${c.url} (HTTP ${c.status}${detail}). Check that the OpenStack user has a role on the project (or is allowed by the container's ACL), and the OS_* credentials.`,
      options,
    );
  }
  if (c.status === 404) return new NotFoundError(`Not found: ${c.url} (HTTP 404 on ${c.action}); check the container and the path`, options);
  if (c.status === 413) {
    return new UnsupportedError(`Swift refused to ${c.action} ${c.url}: too large (HTTP 413${detail}); write it with a smaller segment size, or check the account quota`, options);
  }
  if (isTransientStatus(c.status)) {
    return new TransientError(`Swift could not ${c.action} ${c.url} (HTTP ${c.status}${detail}); this usually passes, try again`, options);
  }
  return new StatestoreError('Unknown', `Swift could not ${c.action} ${c.url}: HTTP ${c.status}${detail}`, options);
}

/** 5xx, throttling (429, Swift's 498), timeouts (408) and a body that arrived damaged (422: ETag mismatch). */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429 || status === 498 || status === 422;
}

/** A network-level failure (refused, reset, timed out) as a TransientError naming the service. */
export function networkError(error: unknown, target: string, action: string): Error {
  if (error instanceof Error && error.name === 'AbortError') return error;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new TransientError(`Cannot reach ${target} to ${action}: ${redactSecrets(reason)}; check OS_AUTH_URL, the network and any proxy settings`, {
    url: target,
    cause: error,
  });
}

function describeBody(body: string | undefined): string {
  if (!body) return '';
  const text = body
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text ? `: ${redactSecrets(text.slice(0, 200))}` : '';
}
