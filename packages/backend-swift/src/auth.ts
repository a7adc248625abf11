/**
 * Authentication: v1 (tempauth/swauth: `GET …/auth/v1.0` with X-Auth-User/X-Auth-Key) or Keystone v3
 * (password or application credential), giving a token and the storage URL. The token is cached until a
 * minute before it expires, or until Swift answers 401 for it; concurrent callers share one request.
 * Every password, secret and token is registered with core so that it is never printed.
 */
import { PermissionDeniedError, StatestoreError, registerSecret } from '@statestore/core';
import { once } from '@statestore/core/driver-kit';
import type { SwiftConfig } from './config.js';
import { swiftError } from './errors.js';
import type { HttpTransport } from './http.js';
import { selectEndpoint, tokenRequestBody, tokensUrl, type TokenBody } from './keystone.js';

/** A usable token and the account URL it works against (e.g. `https://swift.example.com/v1/AUTH_project`). */
export interface Session {
  token: string;
  storageUrl: string;
  /** Epoch ms; absent when the service did not say. */
  expiresAt?: number;
}

const REFRESH_BEFORE_MS = 60_000;

export class Authenticator {
  /** One authentication shared by every caller waiting for it (so no caller's abort signal is used). */
  private readonly login = once<Session>(() => this.authenticate());
  private resolved: Session | undefined;

  constructor(
    private readonly config: SwiftConfig,
    private readonly http: HttpTransport,
  ) {
    registerSecret(config.password);
    registerSecret(config.applicationCredentialSecret);
  }

  /** A valid session, authenticating when there is none or it is about to expire. */
  async current(): Promise<Session> {
    const s = this.resolved;
    if (s && (s.expiresAt === undefined || s.expiresAt - REFRESH_BEFORE_MS > Date.now())) return s;
    if (s) this.forget();
    return this.login();
  }

  /** Forgets a session Swift answered 401 for, unless another caller has already replaced it. */
  invalidate(stale: Session): void {
    if (this.resolved === stale) this.forget();
  }

  private forget(): void {
    this.resolved = undefined;
    this.login.reset();
  }

  private async authenticate(): Promise<Session> {
    const session = await (this.config.authVersion === 1 ? this.v1() : this.v3());
    registerSecret(session.token);
    this.resolved = session;
    return session;
  }

  private async v1(): Promise<Session> {
    const { authUrl, username, password, source } = this.config;
    const res = await this.http.call(
      authUrl,
      { method: 'GET', headers: { 'x-auth-user': username!, 'x-auth-key': password! } },
      'authenticate',
    );
    const body = res.text;
    if (res.status === 401 || res.status === 403) {
      throw new PermissionDeniedError(
        `Swift v1 auth at ${authUrl} rejected user ${username} (HTTP ${res.status}); check OS_USERNAME (account:user) and OS_PASSWORD in ${sourceName(source)}`,
        { url: authUrl },
      );
    }
    if (res.status < 200 || res.status > 299) throw swiftError({ url: authUrl, action: 'authenticate at', status: res.status, body });
    const token = res.headers.get('x-auth-token') ?? res.headers.get('x-storage-token');
    const storageUrl = res.headers.get('x-storage-url');
    if (!token || !storageUrl) {
      throw new StatestoreError('Unknown', `Swift v1 auth at ${authUrl} answered without X-Auth-Token and X-Storage-Url; is OS_AUTH_URL the auth endpoint (…/auth/v1.0)?`, {
        url: authUrl,
      });
    }
    const expires = Number(res.headers.get('x-auth-token-expires'));
    return { token, storageUrl: storageUrl.replace(/\/+$/, ''), ...(Number.isFinite(expires) && expires > 0 ? { expiresAt: Date.now() + expires * 1000 } : {}) };
  }

  private async v3(): Promise<Session> {
    const { authUrl, source } = this.config;
    const url = tokensUrl(authUrl);
    const res = await this.http.call(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(tokenRequestBody(this.config)),
      },
      'authenticate',
    );
    const text = res.text;
    if (res.status === 401 || res.status === 403) {
      const method = this.config.applicationCredentialId || this.config.applicationCredentialName ? 'the application credential' : `user ${this.config.username ?? this.config.userId}`;
      throw new PermissionDeniedError(
        `Keystone at ${authUrl} rejected ${method} (HTTP ${res.status}); check the OS_* credentials in ${sourceName(source)} (and the project and domain names)`,
        { url: authUrl },
      );
    }
    if (res.status < 200 || res.status > 299) throw swiftError({ url: authUrl, action: 'get a token from Keystone at', status: res.status, body: text });
    const token = res.headers.get('x-subject-token');
    let body: TokenBody;
    try {
      body = JSON.parse(text) as TokenBody;
    } catch {
      body = {};
    }
    if (!token || !body.token) {
      throw new StatestoreError('Unknown', `Keystone at ${authUrl} answered without a token; is OS_AUTH_URL the identity endpoint (…/v3)?`, { url: authUrl });
    }
    const storageUrl = selectEndpoint(body.token.catalog, { region: this.config.region, interface: this.config.interface }, authUrl);
    const expiresAt = body.token.expires_at ? Date.parse(body.token.expires_at) : NaN;
    return { token, storageUrl, ...(Number.isFinite(expiresAt) ? { expiresAt } : {}) };
  }
}

function sourceName(source: string): string {
  return source === 'environment' ? 'the environment' : source;
}
