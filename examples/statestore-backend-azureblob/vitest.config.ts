import { defineConfig } from 'vitest/config';
import { loopbackOnly } from '../../packages/testkit/loopback/vitest.mjs';

export default defineConfig({
  test: {
    // Tests reach 127.0.0.1 only: the loopback guard in every worker and spawned process.
    ...loopbackOnly(),
    include: ['test/**/*.test.ts'],
    // Starts Azurite once for the whole run and provides its address to the tests.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
