/**
 * @statestore/core/config: the kops configuration model and what is built on it, kept out of core's main
 * entry so that a program that only opens stores (`resolvePath`, VfsPath) never loads it or `yaml`.
 * Here: where the state store is, the kops object model and defaults, kops-style YAML, merging, set/unset,
 * the store layout, the vault:// rules, GitOps plan/apply, rollback, undelete and history prune. Export,
 * migrate and diffing stores are built on sync: @statestore/core/sync.
 */
export * from './config/index.js';
export { replaceScalars, type ScalarEdit } from './config/scalar-edit.js';
export { diffKopsObjectTexts, diffValues, type ObjectDiff, type FieldChange } from './config/object-diff.js';
export { planRollback, planUndelete, applyRollback, rollback, undelete, type RollbackPlan, type RollbackChange, type RollbackOptions, type RollbackReport } from './history/rollback.js';
export { pruneHistory, type PruneOptions, type PruneReport } from './history/prune.js';
