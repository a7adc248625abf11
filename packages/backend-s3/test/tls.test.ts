/**
 * AWS_CA_BUNDLE: an S3-compatible endpoint behind TLS with a private CA (a self-signed certificate for
 * 127.0.0.1 in front of MinIO) is refused with a message naming AWS_CA_BUNDLE, and works once
 * AWS_CA_BUNDLE points at the certificate.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isInvalidConfig } from '@statestore/core';
import { tempDir } from '@statestore/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { minio, newBucket, openS3 } from './helpers.js';

let endpoint: string;
let caFile: string;
let server: https.Server;
let dir: { dir: string; remove(): void };

beforeAll(async () => {
  dir = tempDir('s3-tls');
  const key = path.join(dir.dir, 'key.pem');
  caFile = path.join(dir.dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', caFile], { stdio: 'ignore' });
  const upstream = new URL(minio().endpoint);
  server = https.createServer({ key: readFileSync(key), cert: readFileSync(caFile) }, (req, res) => {
    // Host is forwarded unchanged: the client signed for this TLS endpoint, and MinIO checks that.
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  dir.remove();
});

it('an untrusted certificate is InvalidConfig naming AWS_CA_BUNDLE', async () => {
  const bucket = await newBucket('tls');
  const root = await openS3(`s3://${bucket}/p`, { endpoint, retry: { maxAttempts: 1 } });
  const e = await root.readDir().then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  expect(isInvalidConfig(e)).toBe(true);
  expect(e?.message).toContain('AWS_CA_BUNDLE');
});

it('AWS_CA_BUNDLE makes the private CA trusted', async () => {
  const bucket = await newBucket('tls');
  const root = await openS3(`s3://${bucket}/p`, { endpoint, env: { AWS_CA_BUNDLE: caFile } });
  await root.join('config').writeFile('over TLS');
  expect(await root.join('config').readText()).toBe('over TLS');
});

it('an AWS_CA_BUNDLE that cannot be read is InvalidConfig naming it', async () => {
  const root = await openS3('s3://any-bucket/p', { endpoint, env: { AWS_CA_BUNDLE: path.join(dir.dir, 'missing.pem') } });
  const e = await root.readDir().then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  expect(isInvalidConfig(e)).toBe(true);
  expect(e?.message).toContain('AWS_CA_BUNDLE=');
});
