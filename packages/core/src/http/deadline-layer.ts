/**
 * http/deadline-layer owns the deadlines every network backend runs under, as a layer around the driver
 * (resolvePath puts it around each plugin's backend; drivers carry no code for it). Each driver call runs in
 * a RequestScope with the caller's signal: a whole-answer call (stat, list, delete, deleteMany, a write of
 * bytes, a server-side copy) must settle within its deadline (deadlines.ts), or it fails with a
 * TransientError that core retries; a read's deadline covers the answer's headers, then its body is held to
 * the minimum throughput; a streamed upload is held to it while the driver sends, then has the request
 * deadline (plus the bytes' time at the minimum rate) to be answered. When the call is over, whatever HTTP
 * request it left receiving is destroyed, so nothing keeps the process alive. The wrapped backend keeps the
 * driver's own properties.
 */
import type { Backend, CopyOptions, ObjectInfo, ReadResult, WriteBody } from '../backend/backend.js';
import { layerOver, unwrapBackend } from '../backend/layer.js';
import { TransientError } from '../errors/errors.js';
import { deadlineFor, type Deadlines } from './deadlines.js';
import { RequestScope } from './request-scope.js';
import { watchDownload, watchUpload } from './throughput-watchdog.js';

const layers = new WeakMap<Backend, Map<string, Backend>>();

/**
 * `backend` behind the deadlines: one wrapper per driver and settings, so that paths opened separately on
 * one driver still share it (same backend, same-store copies). Other properties are the driver's own.
 */
export function withDeadlines(backend: Backend, deadlines: Deadlines): Backend {
  const driver = unwrapBackend(backend);
  const key = JSON.stringify(deadlines);
  let byKey = layers.get(driver);
  if (!byKey) layers.set(driver, (byKey = new Map()));
  let layer = byKey.get(key);
  if (!layer) byKey.set(key, (layer = wrap(driver, deadlines)));
  return layer;
}

/**
 * Runs one whole-answer call of `what` (driver work outside a Backend method, such as a plugin's
 * describe()) in a RequestScope that fails it with a TransientError after `ms`.
 */
export async function runWithDeadline<T>(what: string, ms: number, parent: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const scope = new RequestScope(parent, ms);
  const stop = startDeadline(scope, what, ms);
  try {
    return await scope.race(scope.run(() => fn(scope.signal)));
  } finally {
    stop();
    scope.end();
  }
}

/** Aborts `scope` with a TransientError naming `what` once `ms` have passed; returns what stops the clock. */
function startDeadline(scope: RequestScope, what: string, ms: number): () => void {
  const timer = setTimeout(() => {
    scope.abort(new TransientError(`${what}: no complete answer within ${ms / 1000} s (a multiple of STATESTORE_TIMEOUT); check the network and the service, or raise STATESTORE_TIMEOUT`));
  }, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

function wrap(driver: Backend, deadlines: Deadlines): Backend {
  const request = deadlines.requestMs;
  const url = (key: string) => driver.urlFor(key);

  function read(key: string, options: Parameters<Backend['read']>[1] = {}): Promise<ReadResult> {
    return readWith(`Reading ${url(key)}`, options, (signal) => driver.read(key, { ...options, signal }));
  }

  async function readWith(what: string, options: { signal?: AbortSignal }, open: (signal: AbortSignal) => Promise<ReadResult>): Promise<ReadResult> {
    const scope = new RequestScope(options.signal, request);
    const stop = startDeadline(scope, what, request);
    let opened: ReadResult;
    try {
      opened = await scope.race(scope.run(() => open(scope.signal)));
    } catch (e) {
      scope.end();
      throw e;
    } finally {
      stop();
    }
    return { info: opened.info, body: endWhenDone(watchDownload(opened.body, deadlines.throughput, what, (e) => scope.abort(e)), scope) };
  }

  async function write(key: string, body: WriteBody, options: Parameters<Backend['write']>[2] = {}): Promise<ObjectInfo> {
    const what = `Writing ${url(key)}`;
    if (body instanceof Uint8Array) return runWithDeadline(what, deadlineFor(deadlines, body.byteLength), options.signal, (signal) => driver.write(key, body, { ...options, signal }));
    const scope = new RequestScope(options.signal, request);
    let stop: () => void = () => undefined;
    // Once every byte was taken, the answer may take the request deadline plus those bytes' time at the minimum rate.
    const sent = (bytes: number) => (stop = startDeadline(scope, what, deadlineFor(deadlines, bytes)));
    const watched = watchUpload(body, deadlines.throughput, what, (e) => scope.abort(e), sent);
    try {
      return await scope.race(scope.run(() => driver.write(key, watched, { ...options, signal: scope.signal })));
    } finally {
      stop();
      scope.end();
    }
  }

  /** A server-side copy may also take its object's time at the minimum rate, when the caller knows the size. */
  const copyMs = (options: CopyOptions) => deadlineFor(deadlines, options.sourceInfo?.size ?? 0);

  const wrapped: Partial<Backend> = {
    stat: (key, options = {}) => runWithDeadline(`Checking ${url(key)}`, request, options.signal, (signal) => driver.stat(key, { ...options, signal })),
    read,
    write,
    delete: (key, options = {}) => runWithDeadline(`Removing ${url(key)}`, request, options.signal, (signal) => driver.delete(key, { ...options, signal })),
    list: (prefix, options = {}) => runWithDeadline(`Listing ${url(prefix)}`, request, options.signal, (signal) => driver.list(prefix, { ...options, signal })),
    ...(driver.deleteMany && {
      deleteMany: (keys: string[], options: { signal?: AbortSignal } = {}) =>
        runWithDeadline(`Removing ${keys.length} files under ${url('')}`, request, options.signal, (signal) => driver.deleteMany!(keys, { ...options, signal })),
    }),
    ...(driver.copy && {
      copy: (sourceKey: string, targetKey: string, options: CopyOptions = {}) =>
        runWithDeadline(`Copying ${url(sourceKey)} to ${url(targetKey)}`, copyMs(options), options.signal, (signal) => driver.copy!(sourceKey, targetKey, { ...options, signal })),
    }),
    ...(driver.listVersions && {
      listVersions: (key: string, options: { signal?: AbortSignal } = {}) =>
        runWithDeadline(`Listing the versions of ${url(key)}`, request, options.signal, (signal) => driver.listVersions!(key, { ...options, signal })),
    }),
    ...(driver.readVersion && {
      readVersion: (key: string, versionId: string, options: Parameters<Backend['read']>[1] = {}) =>
        readWith(`Reading version ${versionId} of ${url(key)}`, options, (signal) => driver.readVersion!(key, versionId, { ...options, signal })),
    }),
    ...(driver.copyFrom && {
      copyFrom: (source: Backend, sourceKey: string, targetKey: string, options: CopyOptions = {}) =>
        runWithDeadline(`Copying ${source.urlFor(sourceKey)} to ${url(targetKey)}`, copyMs(options), options.signal, (signal) =>
          driver.copyFrom!(unwrapBackend(source), sourceKey, targetKey, { ...options, signal }),
        ),
    }),
  };

  return layerOver(driver, wrapped);
}

/** Ends the read's scope when its body is done, failed or abandoned. */
async function* endWhenDone(body: AsyncGenerator<Uint8Array>, scope: RequestScope): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } finally {
    scope.end();
  }
}
