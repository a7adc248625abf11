/**
 * Mapping Azure SDK errors (RestError: HTTP status plus the x-ms-error-code) to core's typed errors.
 * Messages name the URL, the account and container where that helps, and say what to do; the SDK's own
 * text is redacted, and credentials never appear.
 */
import {
  AlreadyExistsError,
  ConflictError,
  InvalidConfigError,
  InvalidUrlError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  StatestoreError,
  TransientError,
  isStatestoreError,
  redactSecrets,
} from '@statestore/core';
import { isTransientStatus, networkError } from '@statestore/core/driver-kit';

/** What the failing request was about. */
export interface ErrorContext {
  /** The URL of the blob (or of the container root). */
  url: string;
  account: string;
  container: string;
  /** Short name of the operation, e.g. `Put Blob`. */
  action: string;
  /** Where the credentials came from, for the hint on a refusal. */
  credentialSource: string;
  /** The request carried If-None-Match: * (a 409/412 then means the blob exists). */
  ifNoneMatch?: boolean;
  /** The request carried If-Match (a 412, or a 404, means the version changed). */
  ifMatch?: boolean;
  /** The caller's signal: an abort it asked for passes through untouched. */
  signal?: AbortSignal;
}

/** The fields of the SDK's RestError this mapping reads. */
interface RestErrorShape {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  details?: { errorCode?: string; copySourceStatusCode?: number; copySourceErrorCode?: string };
}

/** Azure's own codes for what a retry may fix (the SDK's REQUEST_SEND_ERROR wraps a failure below HTTP). Network errnos and statuses are the driver kit's. */
const AZURE_TRANSIENT = new Set(['ServerBusy', 'InternalError', 'OperationTimedOut', 'REQUEST_SEND_ERROR']);
const BAD_CREDENTIALS = new Set(['AuthenticationFailed', 'InvalidAuthenticationInfo', 'NoAuthenticationInformation']);
const LEASED = new Set(['LeaseIdMissing', 'LeaseIdMismatch', 'LeaseIsBreakingAndCannotBeAcquired', 'LeaseIsBrokenAndCannotBeRenewed', 'LeasePresent']);

/** The Azure error code (`BlobNotFound`, `ContainerNotFound`, …); HEAD responses carry it only in details. */
export function azureErrorCode(error: unknown): string | undefined {
  const e = error as RestErrorShape | undefined;
  return e?.details?.errorCode ?? e?.code;
}

/** The HTTP status of an SDK error, when a response arrived. */
export function azureStatus(error: unknown): number | undefined {
  return (error as RestErrorShape | undefined)?.statusCode;
}

/** True for "the blob (or its container) is not there". */
export function isMissing(error: unknown): boolean {
  const code = azureErrorCode(error);
  return code === 'BlobNotFound' || code === 'ContainerNotFound' || (azureStatus(error) === 404 && code !== 'CannotVerifyCopySource');
}

/** Turns any error from an Azure request into a core error. Statestore errors and the caller's aborts pass through. */
export function mapAzureError(error: unknown, ctx: ErrorContext): Error {
  if (isStatestoreError(error)) return error;
  const e = (error ?? {}) as RestErrorShape;
  if (e.name === 'AbortError' && ctx.signal?.aborted) return error as Error;
  const code = azureErrorCode(error) ?? 'Unknown';
  const status = azureStatus(error);
  const detail = redactSecrets(`${code}${status ? `, HTTP ${status}` : ''}: ${(e.message ?? String(error)).split('\n')[0]}`);
  const options = { url: ctx.url, cause: error };
  const where = `container ${ctx.container} of storage account ${ctx.account}`;

  if (code === 'ContainerNotFound') {
    return new NotFoundError(
      `The ${where} does not exist (${ctx.url}): check the URL, create it (az storage container create --account-name ${ctx.account} --name ${ctx.container}), or write a file there first (a write creates it)`,
      options,
    );
  }
  if (LEASED.has(code)) {
    return new ConflictError(`${ctx.url} has an active lease held by another client (${code}); wait for it to end, or break the lease`, options);
  }
  if (code === 'BlobAlreadyExists' || (ctx.ifNoneMatch && (code === 'ConditionNotMet' || status === 412))) {
    return new AlreadyExistsError(`File already exists: ${ctx.url}; read it, or remove it first`, options);
  }
  if (code === 'ConditionNotMet' || status === 412) {
    return new PreconditionFailedError(`${ctx.url} changed since it was read (its ETag no longer matches); read it again and retry`, options);
  }
  if (code === 'CannotVerifyCopySource' && e.details?.copySourceStatusCode === 404) {
    return new NotFoundError(`The copy source of ${ctx.url} does not exist: check the source path`, options);
  }
  if (code === 'BlobNotFound' || status === 404) {
    if (ctx.ifMatch) return new PreconditionFailedError(`${ctx.url} no longer exists (it was removed since it was read); read it again and retry`, options);
    return new NotFoundError(`File not found: ${ctx.url}; check the path, or list its folder`, options);
  }
  if (BAD_CREDENTIALS.has(code) || (status === 403 && code === 'Unknown')) {
    return new PermissionDeniedError(
      `The storage account ${ctx.account} refused the credentials from ${ctx.credentialSource} for ${ctx.action} on ${ctx.url} (${code}): check that the key or token belongs to ${ctx.account} and has not been rotated or expired, and the system clock`,
      options,
    );
  }
  if (status === 403) {
    return new PermissionDeniedError(
      `Permission denied: ${ctx.action} on ${ctx.url} was refused (${code}). Check that the credentials from ${ctx.credentialSource} belong to storage account ${ctx.account} and may use the ${where}: for Microsoft Entra ID the role "Storage Blob Data Contributor", for a SAS token read, write, delete and list permissions; also check the account's network rules. (${detail})`,
      options,
    );
  }
  if (code === 'InvalidResourceName' || code === 'OutOfRangeInput') {
    return new InvalidUrlError(`${ctx.url}: the service refused the name (${code}); blob names are at most 1,024 characters and container names 3-63 lowercase letters, digits and hyphens`, options);
  }
  if (/ENOTFOUND/.test(e.message ?? '')) {
    return new InvalidConfigError(`Cannot resolve the host of storage account ${ctx.account} (${ctx.url}): check the account name, AZUREBLOB_ENDPOINT, or the network's DNS`, options);
  }
  const network = status === undefined ? networkError(error, { url: ctx.url, service: `storage account ${ctx.account}`, endpointSetting: 'the account name or AZUREBLOB_ENDPOINT' }) : undefined;
  if (network) return network;
  // An AbortError the caller did not ask for is the SDK's own per-try timeout.
  if (AZURE_TRANSIENT.has(code) || (status !== undefined && isTransientStatus(status)) || e.name === 'AbortError') {
    return new TransientError(`${ctx.action} on ${ctx.url} failed, probably temporarily (${detail})`, options);
  }
  return new StatestoreError('Unknown', `${ctx.action} on ${ctx.url} failed (${detail})`, options);
}
