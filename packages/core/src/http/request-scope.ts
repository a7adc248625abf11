/**
 * http/request-scope owns tying the HTTP requests of one driver call to that call, whatever SDK makes them.
 * Every node:http(s) request started while a scope runs (in its async context, however deep in an SDK) is
 * recorded. Aborting the scope (its deadline passed, its stream stalled) fails the call at once, aborts its
 * signal and destroys those requests; ending it destroys the ones still receiving a response. So a stalled
 * or trickling response can neither outlive its call's deadline nor keep an open socket that stops the
 * process from exiting. A request the driver starts after an abort, while the call still runs (cleaning
 * up, e.g. aborting a multipart upload), gets a grace period to finish; one started after the call is over
 * belongs to no call and is destroyed at once. When the caller's own signal aborts, the driver sees it and
 * is waited for, so that its clean-up is done when the call fails. Transports that do not use node:http
 * (undici) take the scope's signal instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

const current = new AsyncLocalStorage<RequestScope>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  subscribe('http.client.request.start', (message) => current.getStore()?.adopt((message as { request: ClientRequest }).request));
}

const ignore = () => undefined;

/**
 * Destroys a request unless its response has fully arrived; its late errors are nobody's to handle (the
 * call has already failed with the scope's reason, or is over).
 */
function destroy(request: ClientRequest): void {
  const response = (request as ClientRequest & { res?: IncomingMessage }).res;
  if (request.destroyed || response?.complete) return;
  request.on('error', ignore);
  response?.on('error', ignore);
  request.once('response', (r: IncomingMessage) => r.on('error', ignore));
  request.destroy();
}

/** The HTTP requests of one driver call: `run` the call in it, `race` its outcome, then `end` it. */
export class RequestScope {
  readonly #controller = new AbortController();
  readonly #open = new Set<ClientRequest>();
  readonly #aborted: Promise<never>;
  #rejectAborted: (reason: unknown) => void = ignore;
  #ended = false;
  readonly #parent: AbortSignal | undefined;
  readonly #onParentAbort = () => this.#stop(this.#parent!.reason);

  /**
   * `parent`: the caller's signal; when it aborts, so does the scope (with the caller's reason).
   * `graceMs`: how long a request started after an abort (and before `end`) may take before it is destroyed.
   */
  constructor(
    parent?: AbortSignal,
    private readonly graceMs = 60_000,
  ) {
    listen();
    this.#aborted = new Promise<never>((_, reject) => (this.#rejectAborted = reject));
    this.#aborted.catch(ignore);
    this.#parent = parent;
    if (parent?.aborted) this.#stop(parent.reason);
    else parent?.addEventListener('abort', this.#onParentAbort, { once: true });
  }

  /** Aborted with the reason when the scope is aborted: pass it to the driver. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Runs `fn` so that the HTTP requests it starts belong to this scope. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return current.run(this, fn);
  }

  /** `work`'s outcome, or the abort reason as soon as `abort` is called (even if `work` never settles). */
  race<T>(work: Promise<T>): Promise<T> {
    work.catch(ignore);
    return Promise.race([work, this.#aborted]);
  }

  /** Fails the call: `race` rejects with `reason` at once, the signal aborts, the open requests are destroyed. */
  abort(reason: unknown): void {
    this.#rejectAborted(reason);
    this.#stop(reason);
  }

  /** Aborts the signal and destroys the requests open now; later ones (clean-up) only get the grace period. */
  #stop(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    for (const request of this.#open) destroy(request);
    this.#open.clear();
  }

  /** The call is over: requests still receiving a response are destroyed, and so is any started later. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#parent?.removeEventListener('abort', this.#onParentAbort);
    for (const request of this.#open) destroy(request);
    this.#open.clear();
  }

  /** @internal Records a request started in this scope's context; a late one gets its grace period, or none. */
  adopt(request: ClientRequest): void {
    if (this.#ended) {
      destroy(request);
      return;
    }
    if (this.#controller.signal.aborted) {
      const timer = setTimeout(() => destroy(request), this.graceMs);
      timer.unref();
      request.once('close', () => clearTimeout(timer));
      return;
    }
    this.#open.add(request);
    request.once('close', () => this.#open.delete(request));
  }
}
