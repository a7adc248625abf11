/**
 * driver-kit/network-errors owns recognising failures below HTTP, once for every driver: which error codes
 * (Node's errnos, undici's, a stream closed early) mean "try again", which mean an untrusted TLS
 * certificate or an unknown host, and the typed error each becomes. Drivers pass their SDK's error here
 * before mapping HTTP answers; no driver keeps its own list.
 */
import { InvalidConfigError, type StatestoreError, TransientError } from '../errors/errors.js';
import { redactSecrets } from '../errors/redact.js';

/** Codes of failures below HTTP that a new attempt may get past (resets, refusals, timeouts, DNS retries). */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_SOCKET_CLOSED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Codes Node's TLS layer gives a certificate it does not trust. */
const UNTRUSTED_TLS = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT(_LOCALLY)?|VERIFY_LEAF_SIGNATURE)|CERT_(HAS_EXPIRED|NOT_YET_VALID|UNTRUSTED|REJECTED)|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)$/;

interface CodedError {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The code of a network failure: the error's own `code`, else its cause's (fetch wraps them), else undefined. */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e = error as CodedError | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause as CodedError | undefined, depth++) {
    if (typeof e.code === 'string' && e.code !== '') return e.code;
  }
  return undefined;
}

/** True for a failure below HTTP that a new attempt may get past: a listed code, a timeout, a socket hung up. */
export function isTransientNetworkError(error: unknown): boolean {
  const code = networkErrorCode(error);
  if (code !== undefined && TRANSIENT_NETWORK_CODES.has(code)) return true;
  const e = error as CodedError | undefined;
  if (typeof e?.name === 'string' && e.name.endsWith('TimeoutError')) return true;
  return code === undefined && typeof e?.message === 'string' && /^socket hang up$/i.test(e.message);
}

/** True when TLS refused the server's certificate (self-signed, unknown CA, expired, wrong name). */
export function isUntrustedCertificate(error: unknown): boolean {
  const code = networkErrorCode(error);
  return code !== undefined && UNTRUSTED_TLS.test(code);
}

/** Where a failed request went, for the messages. */
export interface NetworkContext {
  /** The URL the operation was about (a file, folder or store). */
  url: string;
  /** What was being talked to, e.g. `Cloud Storage at https://storage.googleapis.com`. */
  service: string;
  /** The variable that names extra CA certificates for this service (default NODE_EXTRA_CA_CERTS). */
  caVariable?: string;
  /** The variable or setting that names the endpoint, for "cannot resolve" (e.g. S3_ENDPOINT). */
  endpointSetting?: string;
}

/**
 * The typed error for a failure below HTTP, or undefined when `error` is not one: TransientError for what a
 * retry may fix, InvalidConfigError for an untrusted certificate or an unknown host (a retry would not).
 */
export function networkError(error: unknown, context: NetworkContext): StatestoreError | undefined {
  const code = networkErrorCode(error) ?? (error as CodedError | undefined)?.name;
  const options = { url: context.url, cause: error };
  if (isTransientNetworkError(error)) {
    return new TransientError(`Cannot reach ${context.service} for ${context.url} (${String(code ?? 'connection lost')}); this usually passes: check the network, the service and any proxy`, options);
  }
  if (isUntrustedCertificate(error)) {
    return new InvalidConfigError(
      `The TLS certificate of ${context.service} is not trusted (${String(code)}) while accessing ${context.url}: point ${context.caVariable ?? 'NODE_EXTRA_CA_CERTS'} at the PEM file of the CA that signed it`,
      options,
    );
  }
  if (code === 'ENOTFOUND') {
    return new InvalidConfigError(`Cannot resolve the host of ${context.service} (${context.url}): check ${context.endpointSetting ?? 'the endpoint'} and the network's DNS`, options);
  }
  return undefined;
}

/** A service's own message, shown in an error: first line, tags and runs of spaces removed, redacted, at most 200 characters. */
export function serviceDetail(text: string | undefined): string {
  const line = (text ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return redactSecrets(line.slice(0, 200));
}
