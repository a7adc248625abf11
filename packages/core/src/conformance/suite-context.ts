/**
 * conformance/suite-context owns what the suites share: the harness a backend gives (fresh roots, a store
 * that does not exist, how URLs are opened), the options with their defaults, and the test registration
 * with the per-test timeout.
 */
import type { VfsPath } from '../path/vfs-path.js';

export interface ConformanceHarness {
  /** A fresh, empty folder for one test (a unique prefix in the store under test). */
  newRoot(): Promise<VfsPath>;
  /**
   * The root of a store that does not exist: a bucket, container, namespace or mount nobody created (a
   * fresh name each call). Where a scheme has no such thing (memfs://, file://), a folder that does not exist.
   */
  missingStore(): Promise<VfsPath>;
  /**
   * A fresh, empty folder in a store where the service keeps versions, for the native-versions test of a
   * driver that declares `capabilities.versions` but keeps them only where a store setting is on (a bucket
   * with versioning). Default: `newRoot`.
   */
  versionedRoot?(): Promise<VfsPath>;
  /** Called once after all tests. */
  teardown?(): Promise<void>;
  /** Opens a URL the way this backend's users would (default: core's resolvePath with the installed plugins). */
  resolve?(url: string): Promise<VfsPath>;
}

export interface ConformanceOptions {
  /** Per-test timeout (default 120 s). */
  timeoutMs?: number;
  /** Size of the large-file round trip (default 16 MiB). */
  largeFileBytes?: number;
  /** Files for the "past 1,000 entries" listing test (default 1,005). */
  manyFiles?: number;
  /** Parallel writes while preparing many files (default 16). */
  writeConcurrency?: number;
}

/** What each suite gets from `describeConformance`. */
export interface SuiteContext {
  /** The harness, once `setup` has resolved (inside tests only). */
  harness(): ConformanceHarness;
  /** A fresh root for one test. */
  root(): Promise<VfsPath>;
  /** Registers one test with the suite's timeout. */
  test(title: string, fn: () => Promise<void>): void;
  options: Required<ConformanceOptions>;
}
