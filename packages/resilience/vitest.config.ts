import { defineConfig } from 'vitest/config';
import { loopbackOnly } from '../testkit/loopback/vitest.mjs';

export default defineConfig({
  test: {
    // Tests reach 127.0.0.1 only: the loopback guard in every worker and spawned process.
    ...loopbackOnly(),
    include: ['test/**/*.test.ts'],
    testTimeout: 360_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    maxWorkers: 2,
  },
});
