/**
 * The HTTP transport: undici's fetch with one dispatcher per origin, built from core's HTTP settings
 * (HTTPS_PROXY/HTTP_PROXY with NO_PROXY, NODE_EXTRA_CA_CERTS plus OS_CACERT, STATESTORE_TIMEOUT, and
 * KOPS_OS_TLS_INSECURE_SKIP_VERIFY). undici is imported on the first request only. No retries here: core
 * retries TransientError. A whole-answer request made without the caller's signal (authentication and
 * /info, which callers share) gets core's request deadline as its own: core's deadline layer cannot reach it.
 */
import { rootCertificates } from 'node:tls';
import { deadlinesFrom, httpSettingsFor, once } from '@statestore/core/driver-kit';
import type { Dispatcher, Response } from 'undici';
import { unreachable } from './errors.js';

interface Undici {
  fetch: typeof import('undici').fetch;
  Agent: typeof import('undici').Agent;
  ProxyAgent: typeof import('undici').ProxyAgent;
}

/** A request body: always replayable, so a request can be sent again after re-authentication. */
export type RequestBody = Uint8Array | string;

/** A response whose body has been read (as text): what every request but an object read needs. */
export interface Answer {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null; entries(): IterableIterator<[string, string]> };
  text: string;
}

export interface RequestInit {
  method: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  signal?: AbortSignal;
}

const USER_AGENT = 'statestore-backend-swift/0.1.0';

export class HttpTransport {
  private readonly undici = once<Undici>(() => import('undici').then((m) => ({ fetch: m.fetch, Agent: m.Agent, ProxyAgent: m.ProxyAgent })));
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly requestDeadlineMs: number;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly insecure: boolean,
  ) {
    this.requestDeadlineMs = deadlinesFrom(env).requestMs;
  }

  /** Sends one request. Network failures become TransientError; HTTP statuses are the caller's to judge. */
  async fetch(url: string, init: RequestInit, action: string): Promise<Response> {
    const undici = await this.undici();
    const dispatcher = this.dispatcherFor(undici, url);
    try {
      return await undici.fetch(url, {
        method: init.method,
        headers: { 'user-agent': USER_AGENT, ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.signal ? { signal: init.signal } : {}),
        dispatcher,
        redirect: 'manual',
      });
    } catch (e) {
      throw unreachable(e, new URL(url).origin, action);
    }
  }

  /** Sends one request and reads the whole answer; a connection lost while reading is a TransientError too. */
  async call(url: string, init: RequestInit, action: string): Promise<Answer> {
    const signal = init.signal ?? AbortSignal.timeout(this.requestDeadlineMs);
    return readAnswer(await this.fetch(url, { ...init, signal }, action), url, action);
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map((d) => d.close().catch(() => undefined)));
  }

  private dispatcherFor(undici: Undici, url: string): Dispatcher {
    const origin = new URL(url).origin;
    let dispatcher = this.dispatchers.get(origin);
    if (!dispatcher) {
      const settings = httpSettingsFor(url, { env: this.env, caBundleVariable: 'OS_CACERT', insecure: this.insecure });
      const tls = {
        ...(settings.extraCa.length > 0 ? { ca: [...rootCertificates, ...settings.extraCa] } : {}),
        ...(settings.insecure ? { rejectUnauthorized: false } : {}),
      };
      const timeouts = { headersTimeout: settings.timeoutMs, bodyTimeout: settings.timeoutMs };
      dispatcher = settings.proxy
        ? new undici.ProxyAgent({ uri: settings.proxy, requestTls: tls, ...timeouts })
        : new undici.Agent({ connect: { ...tls, timeout: settings.timeoutMs }, ...timeouts });
      this.dispatchers.set(origin, dispatcher);
    }
    return dispatcher;
  }
}

/** Reads a response's body as text, mapping a connection lost mid-way to TransientError. */
export async function readAnswer(res: Response, url: string, action: string): Promise<Answer> {
  try {
    const text = await res.text();
    return { status: res.status, ok: res.ok, headers: res.headers, text };
  } catch (e) {
    throw unreachable(e, new URL(url).origin, action);
  }
}
