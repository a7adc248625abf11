/**
 * Shared test plumbing: the OSS-protocol server from globalSetup, buckets made through ali-oss (the protocol,
 * not the server's internals), and opening oss:// URLs with this plugin registered (no discovery) and the
 * server's endpoint and key in the environment given to resolvePath.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { PluginRegistry, resolvePath, type Logger, type ResolveOptions, type VfsPath } from '@statestore/core';
import type { OssServerInfo } from '@statestore/testkit/oss-server';
import { inject } from 'vitest';
import plugin from '../src/index.js';

export const registry = new PluginRegistry(() => []);
registry.register(plugin);

/** The server started for this run. */
export function ossServer(): OssServerInfo {
  return inject('ossServer');
}

type Endpoint = Pick<OssServerInfo, 'endpoint' | 'region' | 'accessKeyId' | 'accessKeySecret'>;

/** The environment a user would set to reach `server`. */
export function ossEnv(server: Endpoint = ossServer()): NodeJS.ProcessEnv {
  return {
    OSS_ENDPOINT: server.endpoint,
    OSS_REGION: `oss-${server.region}`,
    ALIYUN_ACCESS_KEY_ID: server.accessKeyId,
    ALIYUN_ACCESS_KEY_SECRET: server.accessKeySecret,
  };
}

/** A plain ali-oss client for setting things up and looking at them from outside the backend. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function aliClient(server: Endpoint = ossServer(), bucket?: string, authorizationV4 = true): any {
  const OSS = createRequire(import.meta.url)('ali-oss');
  return new OSS({
    endpoint: server.endpoint,
    region: `oss-${server.region}`,
    accessKeyId: server.accessKeyId,
    accessKeySecret: server.accessKeySecret,
    ...(bucket ? { bucket } : {}),
    secure: false,
    sldEnable: true,
    retryMax: 0,
    authorizationV4,
  });
}

/** A new, empty bucket with a unique name, created with PutBucket (and versioning Enabled with PutBucketVersioning when `versioning`). */
export async function newBucket(prefix = 'b', server: Endpoint = ossServer(), versioning = false): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await aliClient(server).putBucket(name);
  if (versioning) await aliClient(server).putBucketVersioning(name, 'Enabled');
  return name;
}

export interface OpenOptions extends ResolveOptions {
  server?: Endpoint;
}

/** Opens an oss:// URL with this plugin against the test server (or `server`); `env` adds to or overrides its variables. */
export function openOss(url: string, { server, env, ...options }: OpenOptions = {}): Promise<VfsPath> {
  return resolvePath(url, { registry, env: { ...ossEnv(server), ...env }, ...options });
}

/** A logger that keeps what it is given. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (_level, message) => lines.push(message) };
}
