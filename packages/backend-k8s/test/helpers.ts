/**
 * Shared test plumbing: the kube-apiserver started by globalSetup, a fresh namespace per use (bound to the
 * least-privilege test user), and opening k8s:// URLs with this plugin registered (no discovery) and an
 * environment that holds only the test KUBECONFIG (never ~/.kube/config: no HOME).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@statestore/testkit';
import { PluginRegistry, resolvePath, type ResolveOptions, type VfsPath } from '@statestore/core';
import { SECRET_VERBS, createNamespace, grantSecrets, type KubeApiserverInfo } from '@statestore/testkit/kube-apiserver';
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

/** A kubeconfig like the test one whose cluster is `server` (default: a 127.0.0.1 port where nothing listens) or whose user's token is `token`. */
export async function variantKubeconfig(change: { server?: string; token?: string } = {}): Promise<string> {
  const config = JSON.parse(readFileSync(kube().kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string } }[];
    users: { name: string; user: { token: string } }[];
  };
  const server = change.server ?? (change.token === undefined ? `https://127.0.0.1:${await freePort()}` : undefined);
  if (server) for (const c of config.clusters) c.cluster.server = server;
  if (change.token !== undefined) for (const u of config.users) u.user.token = change.token;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'statestore-k8s-')), 'kubeconfig');
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

/** Every token of the test server: none may appear in any message. */
export function allTokens(): string[] {
  return Object.values(kube().tokens);
}
