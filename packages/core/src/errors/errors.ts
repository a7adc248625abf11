/**
 * errors/ owns the typed errors every layer throws. Each has a stable `code`; guards recognise errors
 * across copies of the package by that code plus a global symbol brand, never by `instanceof`.
 * Messages name the URL and say what to do. A message, its URL and the text its cause carries pass through
 * core's redaction when the error is made, so a credential that slipped into one (a pasted key in a URL,
 * `?token=`) is never shown.
 */
import { redactCause, redactSecrets } from './redact.js';

const BRAND = Symbol.for('statestore.error');

export type ErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'PreconditionFailed'
  | 'PermissionDenied'
  | 'InvalidUrl'
  | 'BackendNotInstalled'
  | 'Unsupported'
  | 'Transient'
  | 'Conflict'
  | 'InvalidConfig'
  | 'OutcomeUnknown'
  | 'Unknown';

export interface StatestoreErrorOptions {
  /** The URL (or path) the failing operation was about. */
  url?: string;
  cause?: unknown;
}

/** Base class of every error Statestore throws on purpose. */
export class StatestoreError extends Error {
  readonly code: ErrorCode;
  /** The URL the error is about, when known. */
  url: string | undefined;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options: StatestoreErrorOptions = {}) {
    if (options.cause !== undefined) redactCause(options.cause);
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.url = options.url === undefined ? undefined : redactSecrets(options.url);
    this.name = `${code}Error`;
  }
}

/** A file, folder, bucket or container does not exist. */
export class NotFoundError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('NotFound', message, options);
  }
}
/** `createFile` found the file already there. */
export class AlreadyExistsError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('AlreadyExists', message, options);
  }
}
/** A compare-and-swap lost: the file changed since it was read. */
export class PreconditionFailedError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('PreconditionFailed', message, options);
  }
}
/** The service refused the credentials or the action. */
export class PermissionDeniedError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('PermissionDenied', message, options);
  }
}
/** A URL or key is malformed, or would climb above its store. */
export class InvalidUrlError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('InvalidUrl', message, options);
  }
}
/** No installed plugin claims the URL's scheme. */
export class BackendNotInstalledError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('BackendNotInstalled', message, options);
  }
}
/** The backend cannot do what was asked (declared by its capabilities). */
export class UnsupportedError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('Unsupported', message, options);
  }
}
/** A failure that may succeed when retried (5xx, throttling, timeouts, resets). */
export class TransientError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('Transient', message, options);
  }
}
/** `updateFile` kept losing races until its deadline, or two things claim one name. */
export class ConflictError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('Conflict', message, options);
  }
}
/** Configuration (environment, config file, cluster object) is invalid. */
export class InvalidConfigError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('InvalidConfig', message, options);
  }
}

/**
 * A write was sent, its answer was lost, and what happened cannot be proved: it may or may not have been
 * applied. Never retried automatically (that could apply it twice); the message says how to check.
 */
export class OutcomeUnknownError extends StatestoreError {
  constructor(message: string, options?: StatestoreErrorOptions) {
    super('OutcomeUnknown', message, options);
  }
}

export function isStatestoreError(e: unknown): e is StatestoreError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true && typeof (e as { code?: unknown }).code === 'string';
}

function guard(code: ErrorCode) {
  return (e: unknown): e is StatestoreError => isStatestoreError(e) && e.code === code;
}

export const isNotFound = guard('NotFound');
export const isAlreadyExists = guard('AlreadyExists');
export const isPreconditionFailed = guard('PreconditionFailed');
export const isPermissionDenied = guard('PermissionDenied');
export const isInvalidUrl = guard('InvalidUrl');
export const isBackendNotInstalled = guard('BackendNotInstalled');
export const isUnsupported = guard('Unsupported');
export const isTransient = guard('Transient');
export const isConflict = guard('Conflict');
export const isInvalidConfig = guard('InvalidConfig');
export const isOutcomeUnknown = guard('OutcomeUnknown');
