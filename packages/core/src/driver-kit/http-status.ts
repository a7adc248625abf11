/**
 * driver-kit/http-status owns the default meaning of an HTTP status, once for every driver: 401/403 are
 * refusals, 404 a missing thing (or a vanished version under If-Match), 409 a conflict, 412 a failed
 * precondition (or an existing file under If-None-Match), 413 and 501 what the service will not do,
 * 408/429/5xx what a retry may fix. A driver maps what is particular to its service first (an error code
 * in the body, a status its service uses differently) and hands the rest here, with its own messages.
 */
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  StatestoreError,
  TransientError,
  UnsupportedError,
} from '../errors/errors.js';
import { serviceDetail } from './network-errors.js';

/** 408 (timeout), 429 (throttled) and every 5xx except 501 (not implemented) and 505: a retry may succeed. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** What the request was, for the message; `messages` replace the default text of one kind of answer. */
export interface StatusContext {
  /** The URL the operation was about. */
  url: string;
  /** The service, e.g. `Swift` or `Cloud Storage`. */
  service: string;
  /** What was being done, as a verb phrase: `read`, `write`, `list`, `remove`. */
  action: string;
  /** The service's own message (first line shown, redacted). */
  detail?: string;
  cause?: unknown;
  /** The request carried If-None-Match: * (a 412 means the file exists). */
  ifNoneMatch?: boolean;
  /** The request carried If-Match (a 404 means the version is gone). */
  ifMatch?: boolean;
  messages?: {
    /** 401: the credentials were refused; say which and how to fix them. */
    unauthorized?: string;
    /** 403: the action was refused; say which permission allows it. */
    denied?: string;
    /** 404: what is missing, when it is not simply the file (a bucket, a container). */
    notFound?: string;
  };
}

/** The typed error for an HTTP status the driver did not handle itself. */
export function errorForStatus(status: number, context: StatusContext): StatestoreError {
  const { url, service, action, messages = {} } = context;
  const detail = serviceDetail(context.detail);
  const answer = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  const options = { url, ...(context.cause !== undefined ? { cause: context.cause } : {}) };
  if (status === 401) return new PermissionDeniedError(messages.unauthorized ?? `${service} refused the credentials to ${action} ${url} (${answer}); check them`, options);
  if (status === 403) return new PermissionDeniedError(messages.denied ?? `${service} refused to ${action} ${url} (${answer}); allow it for these credentials`, options);
  if (status === 404) {
    if (context.ifMatch) return new PreconditionFailedError(`${url} no longer exists (it was removed since it was read); read it again and retry`, options);
    return new NotFoundError(messages.notFound ?? `File not found: ${url} (${answer}); check the path, or list its folder`, options);
  }
  if (status === 409) return new ConflictError(`${service} reported a conflict for ${url} (${answer}); another writer holds it, try again later`, options);
  if (status === 412) {
    if (context.ifNoneMatch) return new AlreadyExistsError(`File already exists: ${url}; read it, or remove it first`, options);
    return new PreconditionFailedError(`${url} changed since it was read (its version no longer matches); read it again and retry`, options);
  }
  if (status === 413) return new UnsupportedError(`${service} refused to ${action} ${url}: too large (${answer})`, options);
  if (status === 501) return new UnsupportedError(`${service} does not implement what was asked to ${action} ${url} (${answer}); use a service that supports it`, options);
  if (isTransientStatus(status)) return new TransientError(`${service} could not ${action} ${url} (${answer}); this usually passes, try again`, options);
  return new StatestoreError('Unknown', `${service} could not ${action} ${url} (${answer})`, options);
}
