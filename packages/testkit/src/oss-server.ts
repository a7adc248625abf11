/**
 * Launcher for the OSS-protocol server (src/oss-server/), the test server for oss:// — no runnable OSS server
 * exists in any registry reachable here, so testkit implements the protocol from Alibaba Cloud's public OSS API
 * reference, request-signature verification included. It runs in-process on a free 127.0.0.1 port; the ECS
 * metadata stand-in hands out STS credentials it accepts.
 */
import { readFileSync } from 'node:fs';
import { type OssServer, type OssServerOptions, startOssServer } from './oss-server/server.js';

export { startOssServer, type OssServer, type OssServerOptions } from './oss-server/server.js';
export { startEcsMetadataServer, type EcsMetadataOptions, type EcsMetadataServer } from './oss-server/ecs-metadata.js';
export { KeyRing, type AccessKey } from './oss-server/auth.js';

/** What a test needs to reach a running server. Plain data, so vitest's `provide` can pass it to workers. */
export interface OssServerInfo {
  endpoint: string;
  /** Region id, e.g. `cn-hangzhou` (OSS_REGION is `oss-cn-hangzhou`). */
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** What is running, for the test log. */
  version: string;
}

/** The server's identification: testkit's version and what it was built from. */
export function ossServerVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `statestore testkit OSS-protocol server ${pkg.version} (from the Alibaba Cloud OSS API reference; V1 and V4 signatures verified)`;
}

/** Starts the server in this process, logs where, and returns it with its plain-data description. */
export async function launchOssServer(options: OssServerOptions = {}): Promise<OssServer & { info: OssServerInfo }> {
  const server = await startOssServer(options);
  const version = ossServerVersion();
  process.stderr.write(`[testkit] ${version} listening on ${server.endpoint}, region ${server.region}\n`);
  return {
    ...server,
    info: { endpoint: server.endpoint, region: server.region, accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret, version },
  };
}
