/**
 * Shared test plumbing: the fake-gcs-server address from globalSetup, bucket creation through the JSON
 * API, and opening gs:// URLs with this plugin registered (no discovery) and the emulator in the env.
 */
import { randomUUID } from 'node:crypto';
import { PluginRegistry, resolvePath, type Logger, type ResolveOptions, type VfsPath } from '@statestore/core';
import { inject } from 'vitest';
import plugin from '../src/index.js';

export const registry = new PluginRegistry(() => []);
registry.register(plugin);

/** `http://127.0.0.1:PORT` of the fake-gcs-server started for this run. */
export function emulator(): string {
  return inject('fakeGcs').endpoint;
}

/** A new, empty bucket with a unique name (with object versioning on when `versioning`). */
export async function newBucket(prefix = 'b', endpoint = emulator(), versioning = false): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const res = await fetch(`${endpoint}/storage/v1/b?project=test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, ...(versioning ? { versioning: { enabled: true } } : {}) }),
  });
  if (!res.ok) throw new Error(`creating bucket ${name}: ${res.status} ${await res.text()}`);
  return name;
}

export interface OpenOptions extends ResolveOptions {
  /** STORAGE_EMULATOR_HOST (default: the fake-gcs-server). */
  host?: string;
}

/** Opens a gs:// URL with this plugin against the emulator (or `host`). */
export function openGs(url: string, { host, env, ...options }: OpenOptions = {}): Promise<VfsPath> {
  return resolvePath(url, { registry, env: { STORAGE_EMULATOR_HOST: host ?? emulator(), ...env }, ...options });
}

/** A logger that keeps what it is given. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (_level, message) => lines.push(message) };
}

export const text = (s: string) => new TextEncoder().encode(s);
