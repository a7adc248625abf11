/**
 * Wires the loopback guard (./guard.mjs) into a package's vitest run; every packages/*\/vitest.config.ts
 * and examples/*\/vitest.config.ts spreads `loopbackOnly()` into its `test` options. It installs the guard
 * in the vitest process itself (global setups start servers there), puts `--import guard.mjs` into
 * NODE_OPTIONS and AWS_EC2_METADATA_DISABLED=true into the environment, so the forked workers and every
 * process a test spawns inherit both, and adds a setup file that fails each test file whose worker runs
 * without the guard. A spawn that builds its environment from scratch takes `loopbackEnv()` into it.
 * Tests import it as `@statestore/testkit/loopback`.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import './guard.mjs';

export { loopbackGuardActive, refusedHosts } from './guard.mjs';

const GUARD = fileURLToPath(new URL('./guard.mjs', import.meta.url));
const ASSERT_ACTIVE = fileURLToPath(new URL('./assert-active.mjs', import.meta.url));

/** The NODE_OPTIONS flag that loads the guard. */
export const LOOPBACK_IMPORT_FLAG = `--import=${JSON.stringify(pathToFileURL(GUARD).href)}`;

/** The variables every test process gets: the guard in NODE_OPTIONS, and no EC2/ECS metadata lookups by AWS SDKs. */
export function loopbackEnv(base = process.env) {
  const options = base.NODE_OPTIONS ?? '';
  return {
    NODE_OPTIONS: options.includes(LOOPBACK_IMPORT_FLAG) ? options : `${options} ${LOOPBACK_IMPORT_FLAG}`.trim(),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Sets this process's environment for its workers and children; returns the vitest `test` options to spread. */
export function loopbackOnly() {
  Object.assign(process.env, loopbackEnv());
  return { setupFiles: [ASSERT_ACTIVE] };
}
