import { defineConfig } from 'vitest/config';
import { loopbackOnly } from './loopback/vitest.mjs';

export default defineConfig({
  test: { ...loopbackOnly(), include: ['test/**/*.test.ts'], testTimeout: 60_000, pool: 'forks' },
});
