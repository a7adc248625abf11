/**
 * @statestore/backend-k8s: the k8s:// plugin. `open` is cheap and offline: it reads settings and returns a
 * cached driver; the Kubernetes client is imported, and the kubeconfig read, on the first real request.
 * One API client is kept per connection (kubeconfig files and context, or the service account) and one
 * driver per connection and namespace.
 */
import { definePlugin, type Description, type ParsedUrl, type PluginContext } from '@statestore/core';
import { BackendCache } from '@statestore/core/driver-kit';
import { createClient, type KubeClient } from './client.js';
import { describeConnection, k8sSettings, type Connection, type K8sSettings } from './config.js';
import { K8sBackend } from './k8s-backend.js';
import { MAX_KEY_BYTES } from './names.js';
import { MAX_FILE_BYTES } from './secret-object.js';

export { K8sBackend, type K8sBackendOptions } from './k8s-backend.js';
export { createClient, type KubeClient } from './client.js';
export { k8sSettings, parseK8sUrl, formatK8sUrl, connectionFrom, type Connection, type K8sSettings, type K8sLocation } from './config.js';
export { mapKubeError } from './errors.js';
export { MAX_KEY_BYTES, secretNameFor } from './names.js';
export { MAX_FILE_BYTES, ANNOTATIONS, SECRET_TYPE } from './secret-object.js';

const backends = new BackendCache<K8sBackend>();
const clients = new BackendCache<Promise<KubeClient>>();

function backendFor(settings: K8sSettings): K8sBackend {
  const { connection } = settings;
  return backends.get([connection, settings.namespace, settings.timeoutMs], () => {
    return new K8sBackend({
      namespace: settings.namespace,
      ...(connection.kind === 'kubeconfig' && connection.context !== undefined ? { context: connection.context } : {}),
      client: () => clients.get([connection], () => createClient(connection)),
      timeoutMs: settings.timeoutMs,
    });
  });
}

export default definePlugin({
  name: '@statestore/backend-k8s',
  schemes: ['k8s'],
  async open(url: ParsedUrl, context: PluginContext) {
    const settings = k8sSettings(url, context.env);
    return { backend: backendFor(settings), key: settings.key };
  },
  async describe(url: ParsedUrl, context: PluginContext): Promise<Description> {
    const settings = k8sSettings(url, context.env);
    return {
      namespace: settings.namespace,
      connection: describeConnection(settings.connection),
      storage: 'one Secret per file (type statestore/file)',
      maxFileBytes: MAX_FILE_BYTES,
      maxKeyBytes: MAX_KEY_BYTES,
      timeoutSeconds: settings.timeoutMs / 1000,
    };
  },
});
