/**
 * Attaching the URL to errors that a driver raised about a bare key, so every message names the URL.
 * Unknown (non-Statestore) errors become `StatestoreError('Unknown')` with the original as `cause`.
 */
import { StatestoreError, isStatestoreError } from './errors.js';
import { redactSecrets } from './redact.js';

export function withUrl(error: unknown, rawUrl: string, action: string): StatestoreError {
  const url = redactSecrets(rawUrl);
  if (isStatestoreError(error)) {
    if (error.url === undefined) error.url = url;
    if (!error.message.includes(url)) error.message = `${action} ${url}: ${error.message}`;
    return error;
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new StatestoreError('Unknown', `${action} ${url} failed: ${detail}`, { url, cause: error });
}
