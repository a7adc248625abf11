/**
 * The loopback guard at work (packages/testkit/loopback): a test that forgets S3_ENDPOINT would send its
 * requests to AWS, with whatever AWS keys the machine has. Under the guard its first request fails at
 * once, naming the host it tried, and no connection to a cloud host or a metadata address is made.
 */
import { resolvePath } from '@statestore/core';
import { expect, it } from 'vitest';
import { refusedHosts } from '@statestore/testkit/loopback';
import { CACHE_DIR, registry } from './helpers.js';

it('with S3_ENDPOINT unset, the first request is refused before it leaves the machine', async () => {
  const before = refusedHosts().length;
  const env = { AWS_ACCESS_KEY_ID: 'AKIAFORGOTTENENDPOINT', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret', STATESTORE_CACHE: CACHE_DIR };
  const root = await resolvePath('s3://statestore-forgot-the-endpoint/cluster', { registry, env, retry: { maxAttempts: 1 } });
  const failure = await root.join('config').readText().then(
    () => undefined,
    (e: Error) => e,
  );
  expect(failure?.message).toMatch(/loopback guard: refused (a connection to|a DNS lookup of) [\w.-]*amazonaws\.com/);
  const refused = refusedHosts().slice(before);
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.every((host) => host.endsWith('.amazonaws.com') || host === '169.254.169.254')).toBe(true);
});
