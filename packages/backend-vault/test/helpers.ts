/**
 * Test helpers: opening vault:// URLs through core with this plugin registered (no discovery), and a raw
 * Vault HTTP client (plain fetch, no node-vault) to check what is really stored.
 */
import { randomUUID } from 'node:crypto';
import { PluginRegistry, resolvePath, type ResolveOptions, type VfsPath } from '@statestore/core';
import type { OpenBaoInfo } from '@statestore/testkit/openbao';
import vault from '../src/index.js';

export const registry = new PluginRegistry();
registry.register(vault);

/** The environment a test opens URLs with: the feature flag, the token, nothing from the machine. */
export function vaultEnv(server: OpenBaoInfo, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { KOPS_FEATURE_FLAGS: '+VFSVaultSupport', VAULT_TOKEN: server.rootToken, ...extra };
}

/** `vault://127.0.0.1:PORT/secret/PATH?tls=false` (plain-HTTP servers) or without the query (TLS servers). */
export function vaultUrl(server: OpenBaoInfo, path: string, mount = server.kvMount): string {
  return `vault://${server.hostPort}/${mount}/${path}${server.tls ? '' : '?tls=false'}`;
}

export function openVault(server: OpenBaoInfo, path: string, options: ResolveOptions & { mount?: string } = {}): Promise<VfsPath> {
  return resolvePath(vaultUrl(server, path, options.mount), { registry, env: vaultEnv(server), ...options });
}

/** A fresh folder for one test. */
export function freshRoot(server: OpenBaoInfo, options: ResolveOptions = {}): Promise<VfsPath> {
  return openVault(server, `run-${randomUUID()}`, options);
}

export interface RawAnswer {
  status: number;
  body: any;
}

/** One request to the Vault HTTP API with the root token (or the given one). */
export async function raw(server: OpenBaoInfo, method: string, path: string, body?: unknown, token = server.rootToken, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const res = await fetch(`${server.address}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token, ...headers, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Like `raw`, failing unless Vault answers 2xx. */
export async function rawOk(server: OpenBaoInfo, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const answer = await raw(server, method, path, body, token);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A token with a policy made of these rules, e.g. `{ 'secret/data/x/*': ['read'] }`. */
export async function tokenWithPolicy(server: OpenBaoInfo, rules: Record<string, string[]>, tokenOptions: Record<string, unknown> = {}): Promise<string> {
  const name = `p-${randomUUID()}`;
  const policy = Object.entries(rules)
    .map(([path, caps]) => `path "${path}" { capabilities = [${caps.map((c) => `"${c}"`).join(', ')}] }`)
    .join('\n');
  await rawOk(server, 'PUT', `sys/policies/acl/${name}`, { policy });
  const answer = await rawOk(server, 'POST', 'auth/token/create', { policies: [name], no_default_policy: false, ...tokenOptions });
  return answer.auth.client_token as string;
}
