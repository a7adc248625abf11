/**
 * http/plain-http-answer owns recognising an https:// endpoint that speaks plain HTTP. TLS then reads the
 * server's HTTP answer as a record of the wrong version, which SDKs pass on as a raw OpenSSL error
 * ("ssl3_get_record:wrong version number") or retry as a network failure. `isPlainHttpAnswer` recognises
 * it anywhere in an error's cause chain; `explainPlainHttpAnswer` turns it into an InvalidConfigError that
 * says what is wrong and names the endpoint (noted from node:http's and undici's diagnostics channels when
 * a request of the call failed so), which is never retried. VfsPath applies it to every driver call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { InvalidConfigError, isInvalidConfig } from '../errors/errors.js';

const SIGNATURE = /wrong version number|ERR_SSL_WRONG_VERSION_NUMBER/i;
/** The call being run, and the https:// origin that answered it in plain HTTP (noted when a request fails so). */
const current = new AsyncLocalStorage<{ origin?: string }>();
let listening = false;

function noteOrigin(error: Error, origin: string): void {
  const call = current.getStore();
  if (call && SIGNATURE.test(`${(error as Error & { code?: string }).code ?? ''} ${error.message}`)) call.origin ??= origin;
}

function listen(): void {
  if (listening) return;
  listening = true;
  subscribe('http.client.request.error', (message) => {
    const { request, error } = message as { request: ClientRequest; error: Error };
    // The Host header carries the port; it names the endpoint unless an SDK sent another host's name.
    const host = String(request.getHeader('host') ?? request.host);
    if (host === request.host || host.startsWith(`${request.host}:`)) noteOrigin(error, `${request.protocol}//${host}`);
  });
  subscribe('undici:client:connectError', (message) => {
    const { connectParams: at, error } = message as { connectParams: { protocol: string; host: string }; error: Error };
    noteOrigin(error, `${at.protocol}//${at.host}`);
  });
}

/** The errors of a chain: the error, its causes, and the errors an AggregateError holds. */
function* chain(error: unknown, depth = 0): Generator<object> {
  if (typeof error !== 'object' || error === null || depth > 8) return;
  yield error;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  yield* chain(cause, depth + 1);
  if (Array.isArray(errors)) for (const e of errors) yield* chain(e, depth + 1);
}

/** True when `error`, or an error in its cause chain, is TLS that met a plain-HTTP answer. */
export function isPlainHttpAnswer(error: unknown): boolean {
  for (const e of chain(error)) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if ((typeof code === 'string' && SIGNATURE.test(code)) || (typeof message === 'string' && SIGNATURE.test(message))) return true;
  }
  return false;
}

/**
 * Runs `fn`; a failure that is a plain-HTTP answer to TLS becomes an InvalidConfigError saying so (unless
 * the driver has already explained it as InvalidConfig).
 */
export async function explainPlainHttpAnswer<T>(fn: () => Promise<T>): Promise<T> {
  listen();
  const call: { origin?: string } = {};
  try {
    return await current.run(call, fn);
  } catch (error) {
    if (isInvalidConfig(error) || !isPlainHttpAnswer(error)) throw error;
    const who = call.origin ? `${call.origin} answers` : 'The server answers';
    const fix = call.origin ? call.origin.replace(/^https:/, 'http:') : 'http://';
    throw new InvalidConfigError(
      `${who} in plain HTTP, not HTTPS: it does not use TLS there. Set the endpoint to ${fix} (the backend's endpoint setting, or its own switch for plain HTTP), or turn TLS on at the server.`,
      { cause: error },
    );
  }
}
