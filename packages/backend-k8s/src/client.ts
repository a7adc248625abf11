/**
 * The Kubernetes API client for one connection, built on first use (the SDK is imported here, dynamically):
 * kubeconfig files merged as kubectl merges them (the first file to name a cluster, user, context or the
 * current context wins), or the pod's service account; with the per-call options the driver needs from the
 * generated client: a metadata-only `Accept` header, and an abort signal that carries the timeout.
 */
import type { ConfigurationOptions, CoreV1Api, KubeConfig, ObservableMiddleware } from '@kubernetes/client-node';
import { InvalidConfigError } from '@statestore/core';
import type { Connection } from './config.js';
import { loadSdk } from './sdk.js';

/** A ready client and what it connects to (for messages; never a credential). */
export interface KubeClient {
  api: CoreV1Api;
  /** The API server URL. */
  server: string;
  /** The kubeconfig context in use (`in-cluster` for the service account). */
  context: string;
  /**
   * Options for one call: the request is aborted by `signal` (which also carries the timeout), and `accept`
   * replaces the Accept header.
   */
  callOptions(signal: AbortSignal, accept?: string): ConfigurationOptions;
}

/** Builds the client for a connection; InvalidConfigError when the kubeconfig cannot be used. */
export async function createClient(connection: Connection): Promise<KubeClient> {
  const sdk = await loadSdk();
  const config = new sdk.KubeConfig();
  if (connection.kind === 'in-cluster') {
    const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
    config.loadFromClusterAndUser(
      { name: 'in-cluster', server: `https://${host}:${connection.port}`, caFile: connection.caFile, skipTLSVerify: false },
      { name: 'service-account', authProvider: { name: 'tokenFile', config: { tokenFile: connection.tokenFile } } },
    );
  } else {
    mergeKubeconfigs(config, connection.files.map((file) => loadKubeconfig(sdk.KubeConfig, file)));
    if (connection.context !== undefined) {
      if (!config.getContextObject(connection.context)) {
        throw new InvalidConfigError(
          `The kubeconfig (${connection.files.join(', ')}) has no context "${connection.context}"; its contexts are: ${config.getContexts().map((c) => c.name).join(', ') || 'none'}`,
        );
      }
      config.setCurrentContext(connection.context);
    }
  }
  const context = connection.kind === 'in-cluster' ? 'in-cluster' : config.getCurrentContext();
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    const where = connection.kind === 'kubeconfig' ? connection.files.join(', ') : 'the service account';
    throw new InvalidConfigError(
      context
        ? `Context "${context}" in ${where} names no cluster that the kubeconfig defines; fix it with kubectl config set-context`
        : `${where} has no current context; choose one (kubectl config use-context NAME) or add ?context=NAME to the k8s:// URL`,
    );
  }
  const callOptions = (signal: AbortSignal, accept?: string): ConfigurationOptions => {
    const middleware: ObservableMiddleware = {
      pre: (request) => {
        request.setSignal(signal);
        if (accept) request.setHeaderParam('Accept', accept);
        return new sdk.Observable(Promise.resolve(request));
      },
      post: (response) => new sdk.Observable(Promise.resolve(response)),
    };
    return { middleware: [middleware], middlewareMergeStrategy: 'append' };
  };
  return { api: config.makeApiClient(sdk.CoreV1Api), server: cluster.server, context, callOptions };
}

function loadKubeconfig(Kubeconfig: new () => KubeConfig, file: string): KubeConfig {
  const config = new Kubeconfig();
  try {
    config.loadFromFile(file);
  } catch (e) {
    throw new InvalidConfigError(`Cannot read the kubeconfig ${file}: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  return config;
}

/** kubectl's merge: the first file to set a name (or the current context) wins. */
function mergeKubeconfigs(into: KubeConfig, files: KubeConfig[]): void {
  const first = <T extends { name: string }>(lists: T[][]) => {
    const seen = new Map<string, T>();
    for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  into.loadFromOptions({
    clusters: first(files.map((f) => f.getClusters())),
    users: first(files.map((f) => f.getUsers())),
    contexts: first(files.map((f) => f.getContexts())),
    currentContext: files.map((f) => f.getCurrentContext()).find(Boolean) ?? '',
  });
}

/** `Accept` for metadata only: the API server answers with PartialObjectMetadata(List), no Secret data. */
export const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
export const METADATA_LIST_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
