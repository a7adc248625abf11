/**
 * Kubernetes API errors → core's typed errors. A 403 names the verb, the resource, the namespace and the RBAC
 * rule that would allow the request; a 404 of the namespace names the namespace; 409 is AlreadyExists (a
 * create) or PreconditionFailed (a stale resourceVersion); an expired listing (410), throttling, server
 * errors and an unreachable API server are Transient. Messages quote the server's own Status message (it
 * names users, never tokens), redacted all the same.
 */
import {
  AlreadyExistsError,
  InvalidConfigError,
  NotFoundError,
  PreconditionFailedError,
  StatestoreError,
  TransientError,
  isStatestoreError,
  redactSecrets,
} from '@statestore/core';
import { errorForStatus, isTransientNetworkError, isUntrustedCertificate, networkErrorCode } from '@statestore/core/driver-kit';

/** The RBAC verbs the driver uses on secrets. */
export type SecretVerb = 'get' | 'list' | 'create' | 'update' | 'delete';
/** Every verb a store needs, for the Role suggested in messages. */
export const ALL_VERBS: readonly SecretVerb[] = ['get', 'list', 'create', 'update', 'delete'];

/** A Kubernetes Status object (the body of every API error). */
export interface KubeStatus {
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string };
  metadata?: { continue?: string };
}

export interface ErrorContext {
  /** The k8s:// URL the operation was about. */
  url: string;
  namespace: string;
  verb: SecretVerb;
  /** The API server, for "cannot reach" messages. */
  server?: string;
}

/** The HTTP status and Status body of an error from the generated client, if it is an API answer. */
export function apiStatusOf(error: unknown): { code: number; status: KubeStatus } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; body?: unknown };
  if (typeof e.code !== 'number' || e.code < 100 || e.code > 599) return undefined;
  return { code: e.code, status: statusFrom(e.body) };
}

/** The generated client hands an error body over as text (or parsed, depending on its content type). */
function statusFrom(body: unknown): KubeStatus {
  if (typeof body === 'object' && body !== null) return body as KubeStatus;
  if (typeof body !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as KubeStatus) : {};
  } catch {
    return { message: body.slice(0, 500) };
  }
}

/** Maps any error of a request (API answer or network failure) to a core error naming `context.url`. */
export function mapKubeError(error: unknown, context: ErrorContext): StatestoreError {
  if (isStatestoreError(error)) return error;
  const { url, namespace, verb } = context;
  const options = { url, cause: error };
  const api = apiStatusOf(error);
  if (!api) {
    const code = networkErrorCode(error);
    const detail = redactSecrets(messageOf(error));
    // An API server restarting refuses connections, and a name that does not resolve yet is the same (kind, DNS): retried.
    if (isTransientNetworkError(error) || code === 'ENOTFOUND') {
      return new TransientError(`Cannot reach the Kubernetes API server${context.server ? ` at ${context.server}` : ''} for ${url} (${code ?? 'connection lost'}); check that it runs and that the kubeconfig's server address is right`, options);
    }
    if (isUntrustedCertificate(error)) {
      return new InvalidConfigError(`The Kubernetes API server's TLS certificate was not accepted for ${url} (${code}): check the cluster's certificate-authority in the kubeconfig`, options);
    }
    return new StatestoreError('Unknown', `Kubernetes request for ${url} failed: ${detail}`, options);
  }
  const { code, status } = api;
  const detail = redactSecrets(status.message ?? `HTTP ${code}`);
  // What Kubernetes means differently from HTTP's defaults: 409 is an existing Secret or a stale
  // resourceVersion, 410 an expired listing continue token, a 404 may be the namespace.
  if (code === 404 && status.details?.kind === 'namespaces') {
    return new NotFoundError(`Namespace ${namespace} does not exist (${url}). Create it (kubectl create namespace ${namespace}) or check the URL.`, options);
  }
  if (code === 409 && status.reason === 'AlreadyExists') return new AlreadyExistsError(`File already exists: ${url}`, options);
  if (code === 409) return new PreconditionFailedError(`${url} changed since it was read (its resourceVersion no longer matches); read it again and retry`, options);
  if (code === 410) return new TransientError(`The listing of ${url} expired on the API server (410: ${detail}); list again`, options);
  return errorForStatus(code, {
    url,
    service: 'The Kubernetes API server',
    action: `${verb} the Secret of`,
    detail,
    cause: error,
    messages: {
      unauthorized: `The Kubernetes API server rejected the credentials for ${url} (401: ${detail}). Log in again or refresh the kubeconfig's credentials (kubectl auth whoami shows who you are).`,
      denied: forbiddenMessage(context, detail),
      notFound: `File not found: ${url}`,
    },
  });
}

function forbiddenMessage({ url, namespace, verb }: ErrorContext, detail: string): string {
  const user = /User "([^"]+)"/.exec(detail)?.[1];
  const serviceAccount = user ? /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user) : null;
  const subject = serviceAccount ? `--serviceaccount=${serviceAccount[1]}:${serviceAccount[2]}` : `--user=${user ?? 'USER'}`;
  return (
    `Permission denied: ${user ? `${user} may not` : 'not allowed to'} ${verb} secrets in namespace ${namespace} (${url}; the API server said: ${detail}). ` +
    `The RBAC rule that allows it, in a Role in namespace ${namespace}: {apiGroups: [""], resources: ["secrets"], verbs: ["${verb}"]}. ` +
    `A store needs ${ALL_VERBS.join(', ')}: kubectl create role statestore --namespace=${namespace} --resource=secrets --verb=${ALL_VERBS.join(',')} && ` +
    `kubectl create rolebinding statestore --namespace=${namespace} --role=statestore ${subject}`
  );
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0]!.trim() || error.name;
  return String(error);
}
