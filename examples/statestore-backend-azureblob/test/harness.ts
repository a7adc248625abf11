/**
 * What the Azurite-backed tests share: the environment a user would set for Azurite, a registry holding
 * this plugin (so it is used without discovery), and fresh containers.
 */
import { randomUUID } from 'node:crypto';
import { PluginRegistry, resolvePath, type ResolveOptions, type VfsPath } from '@statestore/core';
import { inject } from 'vitest';
import plugin from '../src/index.js';
import type { AzuriteInfo } from './azurite.js';

export function azurite(): AzuriteInfo {
  return inject('azurite');
}

/** Shared key plus the endpoint override: the way to point this plugin at Azurite. */
export function azuriteEnv(info: AzuriteInfo = azurite()): NodeJS.ProcessEnv {
  return { AZURE_STORAGE_KEY: info.accountKey, AZUREBLOB_ENDPOINT: `${info.address}/{account}` };
}

export const registry = new PluginRegistry(() => []);
registry.register(plugin);

/** Opens a URL with this plugin and the given environment (Azurite's by default). */
export function open(url: string, options: ResolveOptions = {}): Promise<VfsPath> {
  return resolvePath(url, { registry, env: azuriteEnv(), ...options });
}

/** A new, empty container (created by a first write, then emptied); returns its root URL. */
export async function newContainer(): Promise<string> {
  const info = azurite();
  const url = `azureblob://${info.account}/c-${randomUUID().slice(0, 18)}/`;
  const marker = (await open(url)).join('.created');
  await marker.writeFile('');
  await marker.remove();
  return url;
}
