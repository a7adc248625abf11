/**
 * The authenticated Swift client: builds account/container/object URLs from the session's storage URL,
 * sends the token, and on a 401 re-authenticates once and sends the request again (bodies are always
 * replayable bytes). Also reads the cluster's `/info` (bulk delete, static large object limits) once.
 */
import { TransientError } from '@statestore/core';
import { isTransientStatus, once } from '@statestore/core/driver-kit';
import type { Response } from 'undici';
import { Authenticator } from './auth.js';
import type { SwiftConfig } from './config.js';
import { HttpTransport, readAnswer, type Answer, type RequestInit } from './http.js';

/** What a request is about: the account (no container), a container, or an object. */
export interface Target {
  container?: string;
  key?: string;
  query?: Record<string, string>;
}

/** The parts of `GET /info` this client uses. */
export interface SwiftInfo {
  bulk_delete?: { max_deletes_per_request?: number };
  slo?: { max_manifest_segments?: number; min_segment_size?: number };
  swift?: { version?: string; max_file_size?: number };
}

export class SwiftClient {
  readonly http: HttpTransport;
  readonly auth: Authenticator;
  /**
   * The cluster's capabilities from `/info`, asked once; empty when the operator switched it off. An answer
   * that did not arrive (network, 5xx) rejects and is not remembered, so the next call asks again.
   */
  readonly info = once<SwiftInfo>(() => this.readInfo());

  constructor(config: SwiftConfig, env: NodeJS.ProcessEnv) {
    this.http = new HttpTransport(env, config.insecure);
    this.auth = new Authenticator(config, this.http);
  }

  /** Sends an authenticated request and reads the whole answer; a 401 triggers one re-authentication and one resend. */
  async request(target: Target, init: RequestInit, action: string): Promise<Answer> {
    const res = await this.stream(target, init, action);
    return readAnswer(res, res.url, action);
  }

  /** As `request`, but the body is left to the caller to stream (object reads). */
  async stream(target: Target, init: RequestInit, action: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.auth.current();
      const res = await this.http.fetch(urlFor(session.storageUrl, target), { ...init, headers: { ...init.headers, 'x-auth-token': session.token } }, action);
      if (res.status !== 401 || attempt === 2) return res;
      await res.body?.cancel().catch(() => undefined);
      this.auth.invalidate(session);
    }
  }

  /** The storage (account) URL, authenticating if needed. */
  async storageUrl(): Promise<string> {
    return (await this.auth.current()).storageUrl;
  }

  /** `/info`, or nothing known (the answer did not arrive this time). */
  capabilities(): Promise<SwiftInfo> {
    return this.info().catch(() => ({}));
  }

  private async readInfo(): Promise<SwiftInfo> {
    const storage = await this.storageUrl();
    const res = await this.http.call(infoUrl(storage), { method: 'GET', headers: { accept: 'application/json' } }, 'read /info of');
    if (isTransientStatus(res.status)) throw new TransientError(`${infoUrl(storage)} answered HTTP ${res.status}; this usually passes`, { url: infoUrl(storage) });
    if (!res.ok) return {};
    try {
      return JSON.parse(res.text) as SwiftInfo;
    } catch {
      return {};
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** `storage/container/key?query`, each path segment percent-encoded. */
export function urlFor(storageUrl: string, target: Target): string {
  let url = storageUrl;
  if (target.container !== undefined) url += `/${encodeURIComponent(target.container)}`;
  if (target.key !== undefined) url += `/${encodeKey(target.key)}`;
  if (target.query && Object.keys(target.query).length > 0) url += `?${new URLSearchParams(target.query).toString()}`;
  return url;
}

/** An object name as a URL path: every `/`-separated segment percent-encoded. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** `/info` lives at the proxy root, beside `/v1/<account>`. */
export function infoUrl(storageUrl: string): string {
  const m = /^(.*)\/v1(?:\.0)?\/[^/]+\/?$/.exec(storageUrl);
  return m ? `${m[1]}/info` : `${new URL(storageUrl).origin}/info`;
}
