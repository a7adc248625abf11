import { defineConfig } from 'vitest/config';
import { loopbackOnly } from '../testkit/loopback/vitest.mjs';

export default defineConfig({
  test: {
    // Tests reach 127.0.0.1 only: the loopback guard in every worker and spawned process.
    ...loopbackOnly(),
    include: ['test/**/*.test.ts'],
    // Starts MinIO, fake-gcs-server and kube-apiserver once per run and provides their addresses; the run fails if one cannot start.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
