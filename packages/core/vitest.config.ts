import { defineConfig } from 'vitest/config';
import { loopbackOnly } from '../testkit/loopback/vitest.mjs';

export default defineConfig({
  test: {
    // Tests reach 127.0.0.1 only: the loopback guard in every worker and spawned process.
    ...loopbackOnly(),
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
