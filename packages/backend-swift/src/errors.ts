/**
 * Mapping Swift and Keystone answers to core's typed errors: what is particular to Swift (its throttling
 * status 498, a damaged body's 422, what to check on a refusal or an oversized object) here, every other
 * status and network failure by the driver kit. Messages name the URL (or the auth URL) and say what to
 * do; they never contain a token, password or secret.
 */
import { TransientError, UnsupportedError, type StatestoreError } from '@statestore/core';
import { errorForStatus, networkError, serviceDetail } from '@statestore/core/driver-kit';

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
export function swiftError(c: FailureContext): StatestoreError {
  // Swift throttles with 498, and answers 422 when the body arrived damaged (ETag mismatch): both pass.
  if (c.status === 498 || c.status === 422) {
    const detail = serviceDetail(c.body);
    return new TransientError(`Swift could not ${c.action} ${c.url} (HTTP ${c.status}${detail ? `: ${detail}` : ''}); this usually passes, try again`, { url: c.url });
  }
  if (c.status === 413) {
    const detail = serviceDetail(c.body);
    return new UnsupportedError(`Swift refused to ${c.action} ${c.url}: too large (HTTP 413${detail ? `: ${detail}` : ''}); write it with a smaller segment size, or check the account quota`, { url: c.url });
  }
  const refused = `Swift refused to ${c.action} ${c.url} (HTTP ${c.status}). Check that the OpenStack user has a role on the project (or is allowed by the container's ACL), and the OS_* credentials.`;
  return errorForStatus(c.status, {
    url: c.url,
    service: 'Swift',
    action: c.action,
    ...(c.body !== undefined ? { detail: c.body } : {}),
    messages: {
      unauthorized: refused,
      denied: refused,
      notFound: `Not found: ${c.url} (HTTP 404 on ${c.action}); check the container and the path`,
    },
  });
}

/** A network-level failure (refused, reset, timed out) naming the service; the caller's abort passes through. */
export function unreachable(error: unknown, target: string, action: string): Error {
  if (error instanceof Error && error.name === 'AbortError') return error;
  return (
    networkError(error, { url: target, service: `Swift (to ${action})`, caVariable: 'OS_CACERT', endpointSetting: 'OS_AUTH_URL' }) ??
    new TransientError(`Cannot reach ${target} to ${action}: ${serviceDetail((error as Error)?.message ?? String(error))}; check OS_AUTH_URL, the network and any proxy settings`, {
      url: target,
      cause: error,
    })
  );
}
