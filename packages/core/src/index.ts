/**
 * @statestore/core: the contract (Backend, StatestorePlugin), the portable VfsPath, URL resolution and
 * plugin loading, typed errors, the retry layer, the per-request log, the built-in memfs:// and file://, and
 * history. Storage only: the kops configuration model is `@statestore/core/config`, and what drivers need
 * (error classification, streams, settings, HTTP settings and deadlines) is `@statestore/core/driver-kit`;
 * importing this entry loads neither (nor `yaml`, nor a proxy agent).
 */
export * from './errors/errors.js';
export { withUrl } from './errors/with-url.js';
export { redactSecrets, redactUrl, hasUserinfo, registerSecret, registerSecretVariable } from './errors/redact.js';
export type * from './backend/backend.js';
export { definePlugin } from './plugins/plugin.js';
export type { StatestorePlugin, PluginContext, OpenedStore, Description } from './plugins/plugin.js';
export { PluginRegistry, getDefaultRegistry, notInstalled, KNOWN_SCHEME_PACKAGES, BUILT_IN_SCHEMES, type PluginListing, type PluginRegistryOptions } from './plugins/registry.js';
export {
  discoverPlugins,
  defaultSearchRoots,
  isPluginPackageName,
  workdirPluginsAllowed,
  type DiscoveredPlugin,
  type PluginOrigin,
  type PluginSearchRoot,
  type SearchRootOptions,
} from './plugins/discover.js';
export { parseUrl, decodePercent, safeForMessage, type ParsedUrl } from './url/parse-url.js';
export { normalizeKey, formatObjectUrl, escapeKeyForUrl, isInternalKey, RESERVED_FOLDER } from './url/keys.js';
export { VfsPath, WRITE_ID, PREVIOUS_WRITE, type DirEntry, type FileStat, type WriteFileOptions, type UpdateFileOptions, type UpdateFn, type VersionedContent, type VersionRef } from './path/vfs-path.js';
export { runLimited } from './path/run-limited.js';
export { settledCapabilities } from './backend/capabilities.js';
export {
  acquireLease,
  readLease,
  readCurrentLease,
  breakLease,
  parseLease,
  currentHolder,
  holderIsDead,
  describeHolder,
  heldForMs,
  ExpiryWatch,
  type HeldLease,
  type LeaseHolder,
  type LeaseOptions,
  type LeaseRecord,
  type StoredLease,
} from './path/lease.js';
export type { FileData } from './path/body.js';
export { collect, sha256Hex } from './path/body.js';
export { forceUnlock, type LockRecord } from './path/lock.js';
export { DEFAULT_LEASE_SETTLE_MS, type Logger } from './path/store-context.js';
export { withRetry, backoffDelay, sleep, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry/retry.js';
export { observeRequests, type RequestEvent, type RequestLogger } from './http/request-log.js';
export { isPlainHttpAnswer } from './http/plain-http-answer.js';
export { resolvePath, pathForBackend, type ResolveOptions } from './resolve.js';
export { MemfsBackend, resetMemfs, sharedMemfs } from './backends/memfs/memfs-backend.js';
export { FileBackend, type FileBackendOptions } from './backends/file/file-backend.js';
// sync: loaded on first call; defaults, summaries, export, diff, migrate and copyJournal are @statestore/core/sync
export { sync, verifyTrees } from './sync-on-demand.js';
export type { SyncOptions } from './sync/sync.js';
export type { SyncSummary, SyncError, HashFallback } from './sync/summary.js';
export type { SyncEvent, SyncListener, SyncTotals, CompareMethod } from './sync/progress.js';
export type { VerifyOptions, VerifyResult } from './sync/verify.js';
// history/: the journal, attribution, reading history and past revisions (rollback and undelete: @statestore/core/config)
export * from './history/index.js';
