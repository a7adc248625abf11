/**
 * errors: node-vault's failures → core's typed errors. node-vault rejects with an error carrying
 * `response.statusCode` and Vault's JSON body for every non-2xx answer, and passes axios's errors through for
 * network failures. Messages name the URL, say what to do, and never carry a token.
 */
import {
  InvalidConfigError,
  NotFoundError,
  PreconditionFailedError,
  StatestoreError,
  TransientError,
  UnsupportedError,
  isPlainHttpAnswer,
  redactSecrets,
} from '@statestore/core';
import { errorForStatus, isTransientNetworkError, networkError, networkErrorCode } from '@statestore/core/driver-kit';

/** What the failing request was about, for the message. */
export interface RequestContext {
  /** The vault:// URL of the file or folder. */
  url: string;
  /** The Vault API path, e.g. `secret/data/clusters/a/secrets/admin` (what a policy must name). */
  policyPath: string;
  /** The policy capabilities the request needs: read, create, update, delete, list. */
  capabilities: string[];
  /** `https://host:port`, and the namespace if any, for the message. */
  address: string;
  namespace?: string | undefined;
}

/** A Vault answer other than 2xx, as node-vault reports it. */
interface VaultResponseError {
  message: string;
  response: { statusCode: number; body?: unknown };
}

export function vaultStatus(e: unknown): number | undefined {
  const status = (e as Partial<VaultResponseError> | undefined)?.response?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Vault's error strings from a failed answer. */
export function vaultMessages(e: unknown): string[] {
  const body = (e as Partial<VaultResponseError> | undefined)?.response?.body as { errors?: unknown } | undefined;
  return Array.isArray(body?.errors) ? body.errors.filter((m): m is string => typeof m === 'string') : [];
}

/** Vault's answer to a `cas` that did not match the current version. */
export function isCasMismatch(e: unknown): boolean {
  return vaultStatus(e) === 400 && vaultMessages(e).some((m) => m.includes('check-and-set parameter did not match'));
}

/** A 404 for a missing secret (not for a missing mount, which is a configuration error). */
export function isMissingSecret(e: unknown): boolean {
  return vaultStatus(e) === 404 && !isMissingRoute(e);
}

function isMissingRoute(e: unknown): boolean {
  return vaultMessages(e).some((m) => m.includes('no handler for route'));
}

const TLS_FAILURES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|EPROTO|HOSTNAME_MISMATCH/;

/**
 * What may travel as an error's `cause`: node-vault's answer errors hold only the status and Vault's body, but
 * axios's network errors hold the request configuration, token header included. Those become a plain Error
 * with the code and a redacted message.
 */
export function safeCause(e: unknown): unknown {
  if (vaultStatus(e) !== undefined) return e;
  if (!(e instanceof Error)) return new Error(redactSecrets(String(e)));
  const code = (e as { code?: unknown }).code;
  return Object.assign(new Error(redactSecrets(e.message)), typeof code === 'string' ? { code } : {});
}

/**
 * Maps any failure of a Vault request to a core error naming the URL: what is particular to Vault here
 * (check-and-set, a missing mount, a sealed server, 412 while a standby catches up, its TLS advice), the
 * rest by the driver kit's network and status rules.
 */
export function mapVaultError(e: unknown, ctx: RequestContext): StatestoreError {
  const where = `${ctx.url} (Vault ${ctx.address}${ctx.namespace ? `, namespace ${ctx.namespace}` : ''})`;
  const status = vaultStatus(e);
  const detail = redactSecrets(vaultMessages(e).join('; ') || (e instanceof Error ? e.message : String(e)));
  const cause = safeCause(e);
  const options = { url: ctx.url, cause };
  if (status === undefined) {
    const code = networkErrorCode(e) ?? '';
    // axios says ERR_BAD_RESPONSE "stream has been aborted" when the connection drops mid-answer.
    if (isTransientNetworkError(e) || (code === 'ERR_BAD_RESPONSE' && /aborted/i.test(detail))) return new TransientError(`${where}: network failure (${code}): ${detail}`, options);
    if (isPlainHttpAnswer(e)) {
      return new InvalidConfigError(`${where}: Vault answers in plain HTTP, not HTTPS. End the URL with ?tls=false (vault://HOST:PORT/MOUNT/PATH?tls=false), or turn TLS on at Vault.`, options);
    }
    if (TLS_FAILURES.test(code) || /certificate|self.signed/i.test(detail)) {
      return new InvalidConfigError(
        `${where}: TLS verification failed (${code || detail}). Point VAULT_CACERT at the PEM of the CA that signed Vault's certificate, ` +
          `or use ?tls=false if this Vault listens on plain HTTP (VAULT_SKIP_VERIFY=true turns verification off; do not use it in production).`,
        options,
      );
    }
    return networkError(cause, { url: ctx.url, service: `Vault ${ctx.address}`, caVariable: 'VAULT_CACERT', endpointSetting: 'the host in the vault:// URL' }) ?? new StatestoreError('Unknown', `${where}: ${detail}`, options);
  }
  if (isCasMismatch(e)) return new PreconditionFailedError(`${ctx.url} changed since it was read (Vault check-and-set did not match)`, options);
  if (status === 400 && detail.includes('check-and-set parameter required')) {
    return new InvalidConfigError(`${where}: the KV mount requires check-and-set on every write (cas_required), but writeFile replaces files unconditionally. Turn cas_required off for this mount or path.`, options);
  }
  if (status === 400) return new StatestoreError('Unknown', `${where}: Vault refused the request: ${detail}`, options);
  if (status === 404 && isMissingRoute(e)) {
    const mount = ctx.policyPath.split('/')[0];
    return new NotFoundError(`${where}: no secrets engine is mounted at "${mount}/". Check the mount in the URL (vault secrets list), or enable one: vault secrets enable -path=${mount} kv-v2`, options);
  }
  // Vault answers 412 while a performance standby has not caught up with the write it was asked about.
  if (status === 412) return new TransientError(`${where}: Vault answered 412 (not yet replicated): ${detail}`, options);
  if (status === 503) return new TransientError(`${where}: Vault is sealed, in standby or unavailable (503): ${detail}`, options);
  if (status === 413) return new UnsupportedError(`${where}: the file is too large for this Vault (request body over its max_request_size; files are stored base64-encoded, a third larger). ${detail}`, options);
  const refused =
    `${where}: permission denied. The token needs a policy granting path "${ctx.policyPath}" { capabilities = [${ctx.capabilities.map((c) => `"${c}"`).join(', ')}] }` +
    `; or the token is invalid or expired (check VAULT_TOKEN, or the Vault role bound to this machine's IAM role). Vault said: ${detail}`;
  return errorForStatus(status, {
    url: ctx.url,
    service: `Vault ${ctx.address}`,
    action: ctx.capabilities.join(' or '),
    detail,
    cause,
    messages: { unauthorized: refused, denied: refused, notFound: `File not found: ${ctx.url}` },
  });
}
