/**
 * A vitest setup file (added by ./vitest.mjs): fails every test file whose worker process was started
 * without the loopback guard, so a package whose wiring breaks cannot quietly run tests that might leave
 * the machine.
 */
import { loopbackGuardActive } from './guard.mjs';

if (!loopbackGuardActive()) {
  throw new Error('The loopback guard is not loaded in this test worker: NODE_OPTIONS must carry --import of packages/testkit/loopback/guard.mjs (spread loopbackOnly() into vitest.config.ts)');
}
if (process.env.AWS_EC2_METADATA_DISABLED !== 'true') {
  throw new Error('AWS_EC2_METADATA_DISABLED must be true in every test process (spread loopbackOnly() into vitest.config.ts)');
}
