/**
 * http/request-log owns the per-request log (what `statestore -v 4` prints): one event for each HTTP
 * request a store call makes — method, URL with credentials redacted, status (or the error that left it
 * without one), time until the answer's headers, and the attempt of core's retry it belongs to. It watches
 * node:http(s) and undici (fetch) through their diagnostics channels, so every driver is covered whatever
 * SDK it uses, with no code in the driver. A request belongs to the store call whose async context started
 * it: `observeRequests` opens that context (VfsPath opens one per attempt, resolvePath one around a
 * plugin's `open`); requests outside any such context are not reported. A driver on another transport
 * reports its requests with `requestStarted` (driver kit).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { redactSecrets } from '../errors/redact.js';

/** One HTTP request a store call made. */
export interface RequestEvent {
  method: string;
  /** The request URL, credentials redacted (core's `redactSecrets`: user information, credential query parameters, known secrets). */
  url: string;
  /** The HTTP status of the answer, when one came. */
  status?: number;
  /** Why no answer came (e.g. `ECONNREFUSED`), when none did. */
  error?: string;
  /** Milliseconds from sending the request to the answer's headers (or the error). */
  durationMs: number;
  /** The attempt of core's retry that made it: 1 for the first, 2 for the first retry, … */
  attempt: number;
}

/** Receives one event per request (ResolveOptions.requestLogger). */
export type RequestLogger = (event: RequestEvent) => void;

interface Scope {
  logger: RequestLogger;
  attempt: number;
}

interface Pending {
  scope: Scope;
  method: string;
  url: string;
  started: number;
}

const current = new AsyncLocalStorage<Scope>();
const pending = new WeakMap<object, Pending>();
let listening = false;

/**
 * Runs `fn` so that the HTTP requests it starts (however deep in an SDK) are reported to `logger` as
 * made by `attempt`. Without a logger, just runs `fn`.
 */
export function observeRequests<T>(logger: RequestLogger | undefined, attempt: number, fn: () => T): T {
  if (!logger) return fn();
  listen();
  return current.run({ logger, attempt }, fn);
}

/**
 * For a driver whose transport the diagnostics channels do not see (HTTP/2, gRPC, a helper process): call it
 * when a request starts, and the function it returns when the request ends, with its status or error. The
 * request is reported like every other one, to the store call in whose context it runs (nothing outside one).
 */
export function requestStarted(method: string, url: string): (outcome: { status?: number; error?: string }) => void {
  const request = {};
  started(request, method, url);
  return (outcome) => finished(request, outcome);
}

function listen(): void {
  if (listening) return;
  listening = true;
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: ClientRequest };
    started(request, request.method, `${request.protocol}//${String(request.getHeader('host') ?? request.host)}${request.path}`);
  });
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    finished(request, { status: response.statusCode });
  });
  subscribe('http.client.request.error', (message) => {
    const { request, error } = message as { request: ClientRequest; error: Error };
    finished(request, { error: describeError(error) });
  });
  subscribe('undici:request:create', (message) => {
    const { request } = message as { request: { method: string; origin: string; path: string } };
    started(request, request.method, `${request.origin}${request.path}`);
  });
  subscribe('undici:request:headers', (message) => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    finished(request, { status: response.statusCode });
  });
  subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: object; error: Error };
    finished(request, { error: describeError(error) });
  });
}

function started(request: object, method: string, url: string): void {
  const scope = current.getStore();
  if (scope) pending.set(request, { scope, method, url: redactSecrets(url), started: performance.now() });
}

function finished(request: object, outcome: { status?: number; error?: string }): void {
  const entry = pending.get(request);
  if (!entry) return;
  pending.delete(request);
  const { scope, method, url, started: at } = entry;
  try {
    scope.logger({ method, url, ...outcome, durationMs: Math.round(performance.now() - at), attempt: scope.attempt });
  } catch {
    // A logger that throws must not break the request it reports.
  }
}

function describeError(error: Error): string {
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : error.message;
}
