/**
 * Settings for one k8s:// store, from the URL and the environment. Reading them is cheap and offline: files
 * are only checked for existence; the kubeconfig is parsed (by the SDK) on the first request.
 *
 * `k8s://NAMESPACE/PATH[?context=NAME]` — the store lives in one namespace; PATH is the key inside it. The
 * connection is the one kubectl would use:
 * - `KUBECONFIG` (a `:`-separated list of files, merged as kubectl merges them), else `$HOME/.kube/config`;
 *   the current context, or the one named by `?context=NAME` at the end of the URL;
 * - else, inside a pod (`KUBERNETES_SERVICE_HOST` set and a service-account token mounted), the pod's
 *   service account.
 * - `STATESTORE_TIMEOUT` (seconds, core's HTTP setting): per-request timeout.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InvalidConfigError, InvalidUrlError, decodePercent, safeForMessage, type ParsedUrl } from '@statestore/core';
import { httpSettingsFor } from '@statestore/core/driver-kit';

/** Where a pod's service account is mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How to reach the API server: kubeconfig files (and a context), or the pod's service account. */
export type Connection =
  | { kind: 'kubeconfig'; files: string[]; source: 'KUBECONFIG' | '$HOME/.kube/config'; context?: string }
  | { kind: 'in-cluster'; host: string; port: string; tokenFile: string; caFile: string };

export interface K8sSettings {
  namespace: string;
  /** The key the URL points at inside the namespace (may be empty). */
  key: string;
  connection: Connection;
  timeoutMs: number;
}

/** A namespace name (DNS-1123 label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CONTEXT_QUERY = /\?context=([^/?]*)$/;

/** Where a k8s:// URL points: namespace, key and optional kubeconfig context. */
export interface K8sLocation {
  namespace: string;
  key: string;
  context?: string;
}

/** Parses `k8s://NAMESPACE/PATH[?context=NAME]`. InvalidUrlError names what is wrong. */
export function parseK8sUrl(url: ParsedUrl): K8sLocation {
  const shown = safeForMessage(url.input);
  let raw = url.rawPath === '' ? url.host : `${url.host}/${url.rawPath}`;
  let context: string | undefined;
  const query = CONTEXT_QUERY.exec(raw);
  if (query) {
    context = decodePercent(query[1]!, url.input);
    raw = raw.slice(0, query.index);
    if (context === '') throw new InvalidUrlError(`Invalid URL ${shown}: ?context= needs a kubeconfig context name`, { url: shown });
  } else if (/\?[a-z]+=/i.test(raw)) {
    throw new InvalidUrlError(`Invalid URL ${shown}: the only query k8s:// understands is "?context=NAME" at the very end. To put "?" in a key, write it as %3F.`, {
      url: shown,
    });
  }
  const slash = raw.indexOf('/');
  const namespace = slash === -1 ? raw : raw.slice(0, slash);
  if (!NAMESPACE.test(namespace)) {
    throw new InvalidUrlError(
      `Invalid URL ${shown}: "${namespace}" is not a Kubernetes namespace name (1-63 lowercase letters, digits and "-"); expected k8s://NAMESPACE/PATH`,
      { url: shown },
    );
  }
  const key = slash === -1 ? '' : decodePercent(raw.slice(slash + 1), url.input);
  return { namespace, key, ...(context !== undefined ? { context } : {}) };
}

/** The canonical URL of a key: `%` prints as `%25` and `?` as `%3F`, so parsing it gives the same key back. */
export function formatK8sUrl(location: Omit<K8sLocation, 'key'>, key: string): string {
  const escaped = key.replace(/%/g, '%25').replace(/\?/g, '%3F');
  return `k8s://${location.namespace}/${escaped}${location.context !== undefined ? `?context=${encodeURIComponent(location.context)}` : ''}`;
}

/** The settings for a k8s:// URL; InvalidUrlError/InvalidConfigError say what is wrong and how to fix it. */
export function k8sSettings(url: ParsedUrl, env: NodeJS.ProcessEnv): K8sSettings {
  const location = parseK8sUrl(url);
  // The API server's address is in the kubeconfig, read on first use; only the timeout is core's setting here
  // (a proxy is the kubeconfig's proxy-url, as for kubectl).
  const { timeoutMs } = httpSettingsFor('https://kubernetes.default.svc/', { env });
  return { namespace: location.namespace, key: location.key, connection: connectionFrom(env, location.context), timeoutMs };
}

/** The connection kubectl would use with this environment. */
export function connectionFrom(env: NodeJS.ProcessEnv, context?: string): Connection {
  const withContext = context !== undefined ? { context } : {};
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(path.delimiter).filter(Boolean);
    const files = listed.filter((f) => existsSync(f));
    if (files.length === 0) {
      throw new InvalidConfigError(`KUBECONFIG=${env.KUBECONFIG} names no existing file; point it at a kubeconfig (kubectl config view --raw > FILE), or unset it`);
    }
    return { kind: 'kubeconfig', files, source: 'KUBECONFIG', ...withContext };
  }
  const home = env.HOME ? path.join(env.HOME, '.kube', 'config') : undefined;
  if (home && existsSync(home)) return { kind: 'kubeconfig', files: [home], source: '$HOME/.kube/config', ...withContext };
  const tokenFile = path.join(SERVICE_ACCOUNT_DIR, 'token');
  if (env.KUBERNETES_SERVICE_HOST && existsSync(tokenFile)) {
    if (context !== undefined) {
      throw new InvalidConfigError(`?context=${context} needs a kubeconfig, but none was found (KUBECONFIG unset, no $HOME/.kube/config); inside a pod only the service account is available`);
    }
    return {
      kind: 'in-cluster',
      host: env.KUBERNETES_SERVICE_HOST,
      port: env.KUBERNETES_SERVICE_PORT ?? '443',
      tokenFile,
      caFile: path.join(SERVICE_ACCOUNT_DIR, 'ca.crt'),
    };
  }
  throw new InvalidConfigError(
    'No Kubernetes connection for k8s://: set KUBECONFIG to a kubeconfig file, create $HOME/.kube/config (as kubectl does), or run inside a pod with a service account',
  );
}

/** A one-line description of a connection, for messages and `statestore doctor` (never a credential). */
export function describeConnection(connection: Connection): string {
  if (connection.kind === 'in-cluster') return `the pod's service account (API server ${connection.host}:${connection.port})`;
  const context = connection.context !== undefined ? `context ${connection.context}` : 'the current context';
  return `${connection.source} (${connection.files.join(path.delimiter)}), ${context}`;
}
