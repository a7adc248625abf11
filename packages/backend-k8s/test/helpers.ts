/**
 * Shared test plumbing: the kube-apiserver started by globalSetup, a fresh namespace per use (bound to the
 * least-privilege test user), and opening k8s:// URLs with this plugin registered (no discovery) and an
 * environment that holds only the test KUBECONFIG (never ~/.kube/config: no HOME).
 */
import { randomUUID } from 'node:crypto';
import { freePort } from '@statestore/testkit';
import { PluginRegistry, resolvePath, type ResolveOptions, type VfsPath } from '@statestore/core';
import { SECRET_VERBS, createNamespace, grantSecrets, kubeconfigVariant, type KubeApiserverInfo, type KubeconfigChange } from '@statestore/testkit/kube-apiserver';
import { inject } from 'vitest';
import plugin from '../src/index.js';

export const registry = new PluginRegistry(() => []);
registry.register(plugin);

export function kube(): KubeApiserverInfo {
  return inject('kube');
}

/** A new namespace where the test user may use secrets (the verbs a store needs, or fewer; none: no binding). */
export async function newNamespace(prefix = 'ns', verbs: readonly string[] = SECRET_VERBS): Promise<string> {
  const info = kube();
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await createNamespace(info, name);
  if (verbs.length > 0) await grantSecrets(info, name, info.user, verbs);
  return name;
}

/** Opens a k8s:// URL with this plugin, as the test user unless the URL names another context. */
export function openK8s(url: string, { env, ...options }: ResolveOptions = {}): Promise<VfsPath> {
  return resolvePath(url, { registry, env: { KUBECONFIG: kube().kubeconfig, ...env }, ...options });
}

export const text = (s: string) => new TextEncoder().encode(s);

/** A kubeconfig like the test one whose server is `server` (default: a 127.0.0.1 port where nothing listens) or whose users present `token`. */
export async function variantKubeconfig(change: KubeconfigChange = {}): Promise<string> {
  const server = change.server ?? (change.token === undefined ? `https://127.0.0.1:${await freePort()}` : undefined);
  return kubeconfigVariant(kube(), { ...change, ...(server ? { server } : {}) });
}

/** Every token of the test server: none may appear in any message. */
export function allTokens(): string[] {
  return Object.values(kube().tokens);
}
