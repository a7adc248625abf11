/**
 * The part of the ECS instance metadata service an OSS client uses, on 127.0.0.1, handing out STS credentials
 * that an `OssServer` accepts. Facts relied on (Alibaba Cloud ECS "Obtain a temporary authorization token" and
 * "instance metadata" pages):
 * - `GET /latest/meta-data/region-id` → the region id (e.g. `cn-hangzhou`);
 * - `GET /latest/meta-data/ram/security-credentials/` → the name of the instance RAM role;
 * - `GET /latest/meta-data/ram/security-credentials/<role>` → JSON
 *   `{AccessKeyId, AccessKeySecret, SecurityToken, Expiration, LastUpdated, Code: "Success"}` (times in ISO 8601 UTC);
 * - hardened mode: `PUT /latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds` returns a token that
 *   later requests send as `X-aliyun-ecs-metadata-token`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessKey, KeyRing } from './auth.js';

export interface EcsMetadataOptions {
  /** Where issued credentials must work (an OssServer's keys). */
  keys: KeyRing;
  regionId: string;
  roleName?: string;
  /** Lifetime of each issued credential (default one hour). */
  credentialTtlMs?: number;
  /** Refuse requests without a hardened-mode token (as with IMDSv1 disabled). */
  requireToken?: boolean;
}

export interface EcsMetadataServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  roleName: string;
  /** Every credential handed out so far, oldest first. */
  issued: AccessKey[];
  /** Changes the lifetime of credentials issued from now on. */
  setCredentialTtl(ms: number): void;
  close(): Promise<void>;
}

export async function startEcsMetadataServer(options: EcsMetadataOptions): Promise<EcsMetadataServer> {
  const roleName = options.roleName ?? 'statestore-test-role';
  let ttl = options.credentialTtlMs ?? 3_600_000;
  const tokens = new Set<string>();
  const issued: AccessKey[] = [];
  const server = http.createServer((req, res) => {
    const send = (status: number, body: string, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      if (!req.headers['x-aliyun-ecs-metadata-token-ttl-seconds']) return send(400, 'missing X-aliyun-ecs-metadata-token-ttl-seconds');
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return send(200, token);
    }
    const token = req.headers['x-aliyun-ecs-metadata-token'];
    if (token !== undefined && !tokens.has(String(token))) return send(401, 'invalid metadata token');
    if (options.requireToken && token === undefined) return send(401, 'a metadata token is required');
    if (req.method !== 'GET') return send(405, 'method not allowed');
    if (req.url === '/latest/meta-data/region-id') return send(200, options.regionId);
    if (req.url === '/latest/meta-data/ram/security-credentials/') return send(200, roleName);
    if (req.url === `/latest/meta-data/ram/security-credentials/${roleName}`) {
      const key = options.keys.issueTemporary(ttl);
      issued.push(key);
      return send(
        200,
        JSON.stringify({
          AccessKeyId: key.accessKeyId,
          AccessKeySecret: key.accessKeySecret,
          SecurityToken: key.securityToken,
          Expiration: new Date(key.expiresAt!).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          LastUpdated: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          Code: 'Success',
        }),
        'application/json',
      );
    }
    return send(404, 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    roleName,
    issued,
    setCredentialTtl: (ms) => {
      ttl = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
