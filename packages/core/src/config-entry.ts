/**
 * @statestore/core/config: the kops configuration model and what is built on it, kept out of core's main
 * entry so that a program that only opens stores (`resolvePath`, VfsPath, sync) never loads it or `yaml`.
 * Here: where the state store is, the kops object model and defaults, kops-style YAML, merging, set/unset,
 * the store layout, the vault:// rules, GitOps plan/apply, and the operations that read or write kops
 * objects — export, migrate, diffing stores by object, rollback, undelete and history prune.
 */
export * from './config/index.js';
export { replaceScalars, type ScalarEdit } from './config/scalar-edit.js';
export { diffKopsObjectTexts, diffValues, type ObjectDiff, type FieldChange } from './config/object-diff.js';
export { exportCluster, type ExportOptions, type ExportResult } from './sync/export-cluster.js';
export { diffStores, type StoreDiff, type ChangedFile, type DiffOptions } from './sync/diff-stores.js';
export { migrateCluster, type MigrateOptions, type MigrateResult, type FieldRewrite } from './sync/migrate-cluster.js';
export { planRollback, planUndelete, applyRollback, rollback, undelete, type RollbackPlan, type RollbackChange, type RollbackOptions, type RollbackReport } from './history/rollback.js';
export { pruneHistory, type PruneOptions, type PruneReport } from './history/prune.js';
