/**
 * @statestore/core/sync: moving trees between stores, kept out of core's main entry and out of
 * @statestore/core/config, so that a command that only reads a cluster never loads it. Here: `sync` with its
 * defaults, progress events and summary, `verifyTrees`, and what is built on sync: exporting a cluster for
 * review, diffing two stores object by object, migrating a cluster, copying a history journal.
 * Core's main entry offers `sync` and `verifyTrees` too, loading this engine on their first call.
 */
export { sync, DEFAULT_TRANSFERS, DEFAULT_CHECKERS, type SyncOptions } from './sync/sync.js';
export { describeSyncSummary, formatBytes, type SyncSummary, type SyncError, type HashFallback } from './sync/summary.js';
export type { SyncEvent, SyncListener, SyncTotals, CompareMethod } from './sync/progress.js';
export { verifyTrees, type VerifyOptions, type VerifyResult } from './sync/verify.js';
export { exportCluster, type ExportOptions, type ExportResult } from './sync/export-cluster.js';
export { diffStores, type StoreDiff, type ChangedFile, type DiffOptions } from './sync/diff-stores.js';
export { migrateCluster, type MigrateOptions, type MigrateResult, type FieldRewrite } from './sync/migrate-cluster.js';
export { copyJournal, type CopyJournalOptions } from './history/copy-journal.js';
