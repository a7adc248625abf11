/**
 * history/ owns every change recorded and reversible on any backend: the journal (content-addressed blobs and
 * an append-only log per cluster under `.statestore/history/`), the operation that journals one command's
 * writes with its attribution, reading history and past revisions, copying a journal. Rollback, undelete and
 * prune (which run under the cluster lease of the apply engine) are exported by `@statestore/core/config`.
 */
export { Operation, type OperationOptions } from './operation.js';
export { OPERATION_METADATA } from './journal-layer.js';
export { collectAttribution, describeAuthor, redactCommandLine, ACTOR_ENV, type AttributionSources } from './attribution.js';
export { resolveHistory, type HistoryLocation, type ResolvedHistory } from './history-store.js';
export { readHistorySettings, writeHistoryMode, writeHistorySettings, historyModeFromEnv, HISTORY_ENV, type HistoryMode, type HistorySettings } from './history-settings.js';
export { JOURNAL_FORMAT, type Attribution, type FileChange, type FileState, type JournalEntry, type RevisionKind } from './journal-entry.js';
export { historySettingsPath, journalFolder } from './journal-layout.js';
export { readHistory, resolveRevision, type HistoryView, type ReadHistoryOptions, type Revision, type RevisionFile, type ResolvedRevision } from './read-history.js';
export { openRevision } from './revision-snapshot.js';
export { type NativeVersion } from './native-versions.js';
