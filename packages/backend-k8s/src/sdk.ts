/**
 * Loading `@kubernetes/client-node` on first real use, so that a program that never talks to Kubernetes never
 * pays for it (the plugin module itself imports only types).
 */
export type KubernetesSdk = typeof import('@kubernetes/client-node');

let sdk: Promise<KubernetesSdk> | undefined;

/** `@kubernetes/client-node`, imported once. */
export function loadSdk(): Promise<KubernetesSdk> {
  return (sdk ??= import('@kubernetes/client-node'));
}
