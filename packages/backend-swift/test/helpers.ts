/**
 * Shared test helpers: environments for the servers global-setup started, a registry with this plugin, and
 * fresh container names. Tests pass their own environment, so the machine's OS_* settings never leak in.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { PluginRegistry, resolvePath, type VfsPath } from '@statestore/core';
import { inject } from 'vitest';
import plugin, { readSwiftConfig, SwiftClient } from '../src/index.js';

export const registry = new PluginRegistry();
registry.register(plugin);

/** A HOME with no .openstack/config in it. */
const NO_HOME = path.join(os.tmpdir(), `statestore-swift-test-no-home-${process.pid}`);

/** tempauth (v1) settings for user `index` of the test Swift (0: test:tester, 1: test2:tester2, 2: test:tester3). */
export function tempauthEnv(index = 0): NodeJS.ProcessEnv {
  const s = inject('swift');
  const u = s.users[index]!;
  return { OS_AUTH_URL: s.authUrl, OS_USERNAME: u.user, OS_PASSWORD: u.key, HOME: NO_HOME };
}

/** Keystone v3 password settings for the demo user, scoped to its project by name, RegionOne. */
export function keystoneEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const k = inject('swift').keystone;
  return {
    OS_AUTH_URL: k.authUrl,
    OS_USERNAME: k.user.name,
    OS_PASSWORD: k.user.password,
    OS_PROJECT_NAME: k.user.projectName,
    OS_DOMAIN_NAME: k.user.domainName,
    OS_REGION_NAME: 'RegionOne',
    HOME: NO_HOME,
    ...extra,
  };
}

export interface OpenOptions {
  segmentSize?: number;
  listPageSize?: number;
  /** Attempts in all (core's retry of TransientError); default core's. */
  attempts?: number;
}

export function openSwift(url: string, env: NodeJS.ProcessEnv = tempauthEnv(), options: OpenOptions = {}): Promise<VfsPath> {
  return resolvePath(url, {
    registry,
    env,
    ...(options.listPageSize ? { listPageSize: options.listPageSize } : {}),
    plugin: options.segmentSize ? { segmentSize: options.segmentSize } : {},
    ...(options.attempts ? { retry: { maxAttempts: options.attempts } } : {}),
  });
}

export function newContainer(purpose: string): string {
  return `${purpose}-${randomUUID().slice(0, 8)}`;
}

/** A raw client for the same settings, for looking at what is really stored. */
export function rawClient(env: NodeJS.ProcessEnv = tempauthEnv()): SwiftClient {
  return new SwiftClient(readSwiftConfig(env), env);
}

/** Creates a container (PUT), optionally with headers such as ACLs. */
export async function createContainer(container: string, env: NodeJS.ProcessEnv = tempauthEnv(), headers: Record<string, string> = {}): Promise<void> {
  const client = rawClient(env);
  const res = await client.request({ container }, { method: 'PUT', headers }, 'create');
  await client.close();
  if (!res.ok) throw new Error(`PUT container ${container}: HTTP ${res.status}`);
}
