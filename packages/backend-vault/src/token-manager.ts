/**
 * token-manager: keeps one Vault token valid for a connection. The first request logs in (or looks up the
 * VAULT_TOKEN it was given); from two thirds of the token's TTL on, the next request first renews it
 * (auth/token/renew-self) or, when it is not renewable or its renewals are running out, logs in again. kops
 * never renewed, so long runs with short-lived tokens failed half-way. Every token is registered with core's
 * redaction so that it can never reach a message or a log line.
 */
import { registerSecret } from '@statestore/core';
import { once } from '@statestore/core/driver-kit';

/** A token and what Vault said about its lifetime. */
export interface TokenLease {
  token: string;
  /** Seconds the token lives from when it was obtained; 0 means it does not expire (e.g. a root token). */
  ttlSeconds: number;
  renewable: boolean;
}

/** Where tokens come from. */
export interface TokenSource {
  /** Obtains a token (a login, or a lookup of the given token). */
  obtain(): Promise<TokenLease>;
  /** Whether `obtain` can be called again for a new token (a login can; a fixed VAULT_TOKEN cannot). */
  readonly canLogInAgain: boolean;
  /** Renews the current token (renew-self); resolves with the new lease. */
  renew(token: string): Promise<TokenLease>;
}

/** Renew or log in again once this fraction of the TTL has passed. */
export const RENEW_AT = 2 / 3;

interface HeldLease extends TokenLease {
  /** When it was obtained (ms), measured before the request so the estimate errs early. */
  obtainedAt: number;
  /** TTL of the first lease from the last login: a renewal that returns much less is running out. */
  loginTtlSeconds: number;
}

export class TokenManager {
  private lease: HeldLease | undefined;
  /** The refresh under way, shared by concurrent callers; forgotten once done. */
  private readonly pending = once<string>();

  constructor(
    private readonly source: TokenSource,
    private readonly warn: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token that is valid now, renewing or logging in first when due. Concurrent callers share one refresh. */
  async token(): Promise<string> {
    if (this.pending.started) return this.pending();
    const lease = this.lease;
    if (lease && !this.due(lease)) return lease.token;
    return this.pending(() => this.refresh(lease).finally(() => this.pending.reset()));
  }

  private due(lease: HeldLease): boolean {
    return lease.ttlSeconds > 0 && this.now() - lease.obtainedAt >= lease.ttlSeconds * 1000 * RENEW_AT;
  }

  private async refresh(lease: HeldLease | undefined): Promise<string> {
    if (lease?.renewable) {
      const startedAt = this.now();
      try {
        const renewed = await this.source.renew(lease.token);
        const runningOut = renewed.ttlSeconds < lease.loginTtlSeconds * (1 - RENEW_AT) || !renewed.renewable;
        if (!runningOut || !this.source.canLogInAgain) return this.hold(renewed, startedAt, lease.loginTtlSeconds);
      } catch (e) {
        if (!this.source.canLogInAgain) {
          this.warn(`Could not renew the Vault token (${(e as Error).message}); going on with it until it expires`);
          return this.hold({ ...lease, ttlSeconds: 0 }, lease.obtainedAt, lease.loginTtlSeconds);
        }
      }
    } else if (lease && !this.source.canLogInAgain) {
      // A fixed token that cannot be renewed: nothing to do but use it.
      return this.hold({ ...lease, ttlSeconds: 0 }, lease.obtainedAt, lease.loginTtlSeconds);
    }
    const startedAt = this.now();
    const fresh = await this.source.obtain();
    return this.hold(fresh, startedAt, fresh.ttlSeconds);
  }

  private hold(lease: TokenLease, obtainedAt: number, loginTtlSeconds: number): string {
    registerSecret(lease.token);
    this.lease = { ...lease, obtainedAt, loginTtlSeconds };
    return lease.token;
  }
}
