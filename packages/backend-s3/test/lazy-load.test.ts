/**
 * Opening is cheap: resolving an s3:// URL imports no AWS SDK module and sends nothing; the SDK is
 * imported on the first real request. Watched with a Node module-loading hook in this test process
 * (this file deliberately imports nothing that loads the SDK itself).
 */
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { PluginRegistry, resolvePath } from '@statestore/core';
import { expect, it } from 'vitest';

it('resolvePath loads no SDK module; the first request does', async () => {
  const { port1, port2 } = new MessageChannel();
  const resolved: string[] = [];
  port1.on('message', (specifier: string) => resolved.push(specifier));
  port1.unref();
  register(
    `data:text/javascript,${encodeURIComponent(`
      let port;
      export function initialize(data) { port = data.port; }
      const sdk = /[\\/](@aws-sdk|@smithy)[\\/]/;
      export async function load(url, context, next) {
        if (sdk.test(url)) port.postMessage(url);
        return next(url, context);
      }`)}`,
    { data: { port: port2 }, transferList: [port2] },
  );
  const settle = () => new Promise((r) => setTimeout(r, 200));
  const plugin = (await import('../src/index.js')).default;
  const registry = new PluginRegistry(() => []);
  registry.register(plugin);
  // Nothing listens on port 9: opening must not notice, the first request must.
  const env = { S3_ENDPOINT: 'http://127.0.0.1:9', S3_ACCESS_KEY_ID: 'lazy', S3_SECRET_ACCESS_KEY: 'lazy-secret' };
  const path = await resolvePath('s3://lazy-bucket/cluster/config', { registry, env, retry: { maxAttempts: 1 } });
  expect(path.toString()).toBe('s3://lazy-bucket/cluster/config');
  await settle();
  expect(resolved).toEqual([]);
  await expect(path.exists()).rejects.toThrow(/lazy-bucket/);
  await settle();
  expect(resolved.some((url) => url.includes('/@aws-sdk/client-s3/'))).toBe(true);
});
