/**
 * resolvePath: URL → VfsPath. Bare paths and file:// open the file backend, memfs:// the in-process store,
 * every other scheme its plugin, which is discovered from package.json files and imported only now. Every
 * backend runs behind core's correctness layer (the driver contract enforced once); a plugin's backend also
 * behind the deadline layer (STATESTORE_TIMEOUT), so no network call can hang. Opening file:// or memfs://
 * loads no HTTP code at all.
 */
import type { Backend } from './backend/backend.js';
import { withCorrectness } from './backend/correctness-layer.js';
import { FileBackend } from './backends/file/file-backend.js';
import { sharedMemfs } from './backends/memfs/memfs-backend.js';
import { withUrl } from './errors/with-url.js';
import { explainPlainHttpAnswer } from './http/plain-http-answer.js';
import { observeRequests, type RequestLogger } from './http/request-log.js';
import { type Logger, type StoreContext, defaultStoreContext, stderrLogger } from './path/store-context.js';
import { VfsPath } from './path/vfs-path.js';
import type { PluginContext } from './plugins/plugin.js';
import { type PluginRegistry, getDefaultRegistry } from './plugins/registry.js';
import type { RetryPolicy } from './retry/retry.js';
import { normalizeKey } from './url/keys.js';
import { parseUrl, safeForMessage } from './url/parse-url.js';

export interface ResolveOptions {
  /** Base for relative local paths (default process.cwd()). */
  cwd?: string;
  /** Environment for backend settings (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Plugin registry (default: the process-wide one). */
  registry?: PluginRegistry;
  retry?: Partial<RetryPolicy>;
  /** Page-size hint for listings. */
  listPageSize?: number;
  /** Deadline of updateFile's retry loop, ms (default 30 000). */
  updateDeadlineMs?: number;
  /** Time-to-live of leases (updateFile's lock, cluster leases), ms (default 30 000). */
  lockLeaseMs?: number;
  /**
   * On a backend with neither compare-and-swap nor atomic create (swift://): how late its listings may
   * show a new object, ms (default 100). Leases there wait this long twice; raise it where listings lag.
   */
  leaseSettleMs?: number;
  logger?: Logger;
  /** Receives one event per HTTP request the store makes (method, redacted URL, status, duration, attempt). */
  requestLogger?: RequestLogger;
  /** Modes for file:// (defaults 0o600 and 0o700). */
  file?: { fileMode?: number; dirMode?: number };
  /** Plugin-specific options, passed to `open`. */
  plugin?: Record<string, unknown>;
}

/** Opens a URL (or a local path) as a VfsPath. */
export async function resolvePath(url: string, options: ResolveOptions = {}): Promise<VfsPath> {
  const parsed = parseUrl(url, { cwd: options.cwd });
  const logger = options.logger ?? stderrLogger;
  let backend: Backend;
  let rawKey: string;
  if (parsed.scheme === 'file') {
    backend = new FileBackend({ ...options.file, pruneBoundary: parsed.path });
    rawKey = parsed.path;
  } else if (parsed.scheme === 'memfs') {
    backend = sharedMemfs();
    rawKey = parsed.path;
  } else {
    const registry = options.registry ?? getDefaultRegistry();
    const plugin = await registry.load(parsed.scheme);
    const warned = new Set<string>();
    const context: PluginContext = {
      env: options.env ?? process.env,
      options: options.plugin ?? {},
      warn: (message) => {
        if (!warned.has(message)) logger.log(0, message);
        warned.add(message);
      },
    };
    try {
      ({ backend, key: rawKey } = await observeRequests(options.requestLogger, 1, () => explainPlainHttpAnswer(() => plugin.open(parsed, context))));
      const [{ withDeadlines }, { deadlinesFrom }] = await Promise.all([import('./http/deadline-layer.js'), import('./http/deadlines.js')]);
      backend = withDeadlines(backend, deadlinesFrom(context.env));
    } catch (e) {
      throw withUrl(e, safeForMessage(url), 'Cannot open');
    }
  }
  const key = normalizeKey([rawKey], safeForMessage(url));
  return new VfsPath(contextFor(withCorrectness(backend), options, logger), key);
}

function contextFor(backend: Backend, options: ResolveOptions, logger: Logger): StoreContext {
  const base = defaultStoreContext(backend, { logger });
  return {
    ...base,
    retry: { ...base.retry, ...options.retry },
    ...(options.listPageSize ? { listPageSize: options.listPageSize } : {}),
    ...(options.updateDeadlineMs ? { updateDeadlineMs: options.updateDeadlineMs } : {}),
    ...(options.lockLeaseMs ? { lockLeaseMs: options.lockLeaseMs } : {}),
    ...(options.requestLogger ? { requestLogger: options.requestLogger } : {}),
    ...(options.leaseSettleMs !== undefined ? { leaseSettleMs: options.leaseSettleMs } : {}),
  };
}

/** Wraps an already-open driver (e.g. one a test built) as a VfsPath at `key`, behind the correctness layer. */
export function pathForBackend(backend: Backend, key = '', options: ResolveOptions = {}): VfsPath {
  return new VfsPath(contextFor(withCorrectness(backend), options, options.logger ?? stderrLogger), normalizeKey([key], backend.urlFor(key)));
}
