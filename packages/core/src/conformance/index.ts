/**
 * conformance/ owns the shared contract test: one call registers, as vitest tests, everything a backend
 * must do to be a Statestore backend, in the manner of go-cloud's drivertest. The driver suite calls the
 * `Backend` directly (as core's layers hand it out), so nothing VfsPath sorts, filters or retries hides a
 * driver's bug; the portable suite goes through VfsPath. memfs, file, every shipped backend and any
 * third-party plugin run it. Capabilities decide what is expected, never whether a test runs.
 *
 * ```ts
 * import { describeConformance } from '@statestore/core/conformance';
 * describeConformance('my backend', async () => ({
 *   newRoot: () => resolvePath(`my://bucket/run-${randomUUID()}`),
 *   missingStore: () => resolvePath(`my://missing-${randomUUID()}/`),
 * }));
 * ```
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { describeDriver } from './driver.js';
import { describePortable } from './portable.js';
import type { ConformanceHarness, ConformanceOptions, SuiteContext } from './suite-context.js';

export type { ConformanceHarness, ConformanceOptions } from './suite-context.js';

/** Registers the conformance tests (driver level, then portable layer) for one backend. */
export function describeConformance(name: string, setup: () => Promise<ConformanceHarness>, options: ConformanceOptions = {}): void {
  const resolved: Required<ConformanceOptions> = {
    timeoutMs: options.timeoutMs ?? 120_000,
    largeFileBytes: options.largeFileBytes ?? 16 * 1024 * 1024,
    manyFiles: options.manyFiles ?? 1_005,
    writeConcurrency: options.writeConcurrency ?? 16,
  };
  describe(`conformance: ${name}`, () => {
    let harness: ConformanceHarness | undefined;
    beforeAll(async () => {
      harness = await setup();
    }, 300_000);
    afterAll(async () => {
      await harness?.teardown?.();
    }, 120_000);
    const context: SuiteContext = {
      harness: () => {
        if (!harness) throw new Error('the conformance harness failed to set up (see beforeAll)');
        return harness;
      },
      root: () => context.harness().newRoot(),
      test: (title, fn) => it(title, fn, resolved.timeoutMs),
      options: resolved,
    };
    describeDriver(context);
    describePortable(context);
  });
}
