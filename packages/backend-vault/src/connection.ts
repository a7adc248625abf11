/**
 * connection: one node-vault client per Vault address, namespace and token source (kops reused the first
 * client for every host). node-vault is imported on the first request, not when a URL is opened. The client
 * gets core's HTTP settings: VAULT_CACERT and VAULT_SKIP_VERIFY on its agents, STATESTORE_TIMEOUT as its
 * request timeout, and the proxy of the environment given to open. (node-vault's HTTP layer, axios, also
 * applies HTTPS_PROXY/HTTP_PROXY/NO_PROXY of the process environment itself; when those name a proxy for this
 * address, axios tunnels through it with our TLS settings, and our agents carry no proxy of their own.)
 */
import type NodeVault from 'node-vault';
import { PermissionDeniedError, isStatestoreError, redactSecrets } from '@statestore/core';
import { httpSettingsFor, nodeAgents, once, proxyFor } from '@statestore/core/driver-kit';
import { iamLoginData } from './aws-iam-login.js';
import type { AuthSettings, VaultSettings } from './config.js';
import { mapVaultError, safeCause, vaultMessages, vaultStatus, type RequestContext } from './errors.js';
import { TokenManager, type TokenLease, type TokenSource } from './token-manager.js';

export type VaultClient = NodeVault.client;

/** Per-request options that authenticate one request. */
export interface RequestAuth {
  headers: Record<string, string>;
}

function withToken(token: string): RequestAuth {
  return { headers: { 'X-Vault-Token': token } };
}

export interface ConnectionOptions {
  /** `https://host:port` or `http://host:port`. */
  address: string;
  settings: VaultSettings;
  env: NodeJS.ProcessEnv;
  warn(message: string): void;
}

export class VaultConnection {
  /** node-vault's client, made on the first request (again after a failure to make it). */
  private readonly client = once<VaultClient>(() => this.createClient());
  private readonly tokens: TokenManager;

  constructor(private readonly options: ConnectionOptions) {
    this.tokens = new TokenManager(tokenSource(options.settings.auth, () => this.bareClient(), this.context()), options.warn);
  }

  get address(): string {
    return this.options.address;
  }

  get namespace(): string | undefined {
    return this.options.settings.namespace;
  }

  /**
   * The client and the request options that carry a token valid now. The token travels in each request's
   * headers; the shared client never holds one, so a renewal or a new login cannot race a request.
   */
  async ready(): Promise<{ client: VaultClient; auth: RequestAuth }> {
    const [client, token] = await Promise.all([this.bareClient(), this.tokens.token()]);
    return { client, auth: withToken(token) };
  }

  private context(): RequestContext {
    return { url: this.options.address, policyPath: '', capabilities: [], address: this.options.address, namespace: this.options.settings.namespace };
  }

  private bareClient(): Promise<VaultClient> {
    return this.client();
  }

  private async createClient(): Promise<VaultClient> {
    const { address, env, settings } = this.options;
    const { default: nodeVault } = await import('node-vault');
    const http = httpSettingsFor(address, { env, caBundleVariable: 'VAULT_CACERT', insecure: settings.skipVerify });
    const axiosProxies = proxyFor(address, process.env) !== undefined;
    const agents = nodeAgents(axiosProxies ? { ...http, proxy: undefined } : http);
    const client = nodeVault({
      endpoint: address,
      apiVersion: 'v1',
      // GET ?list=1 rather than the LIST verb, as Vault's Go client (and so kops) sends it: proxies pass it.
      noCustomHTTPVerbs: true,
      requestOptions: { timeout: http.timeoutMs, httpAgent: agents.http, httpsAgent: agents.https },
    });
    // node-vault falls back to VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX of the process; only the
    // environment given to open counts.
    Object.assign(client, { token: '', namespace: settings.namespace, pathPrefix: '' });
    return client;
  }
}

/** A fixed VAULT_TOKEN, or AWS IAM login. */
function tokenSource(auth: AuthSettings, client: () => Promise<VaultClient>, ctx: RequestContext): TokenSource {
  const renew = async (token: string): Promise<TokenLease> => {
    const c = await client();
    const answer = (await c.write('auth/token/renew-self', {}, withToken(token)).catch((e: unknown) => {
      throw mapVaultError(e, { ...ctx, policyPath: 'auth/token/renew-self', capabilities: ['update'] });
    })) as LoginAnswer;
    return leaseOf(answer, token);
  };
  if (auth.method === 'token') {
    return {
      canLogInAgain: false,
      renew,
      async obtain() {
        const c = await client();
        // The TTL tells when to renew. A token Vault will not look up (no rights, or invalid: the first real
        // request then says which policy is missing) is used as it is, never renewed.
        try {
          const answer = (await c.read('auth/token/lookup-self', withToken(auth.token))) as { data?: { ttl?: unknown; renewable?: unknown } };
          return { token: auth.token, ttlSeconds: Number(answer.data?.ttl) || 0, renewable: answer.data?.renewable === true };
        } catch (e) {
          const status = vaultStatus(e);
          if (status !== undefined && status >= 400 && status < 500) return { token: auth.token, ttlSeconds: 0, renewable: false };
          throw mapVaultError(e, { ...ctx, policyPath: 'auth/token/lookup-self', capabilities: ['read'] });
        }
      },
    };
  }
  return {
    canLogInAgain: true,
    renew,
    async obtain() {
      let data;
      try {
        data = await iamLoginData(auth);
      } catch (e) {
        if (isStatestoreError(e)) throw e;
        throw new PermissionDeniedError(
          `No Vault token for ${ctx.address}: VAULT_TOKEN is not set, and AWS IAM login found no AWS credentials (${(e as Error).message}). ` +
            'Set VAULT_TOKEN, or run where AWS credentials are available (instance role, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE).',
          { url: ctx.address, cause: safeCause(e) },
        );
      }
      const c = await client();
      const path = `auth/${auth.mount}/login`;
      const answer = (await c.write(path, data).catch((e: unknown) => {
        throw loginError(e, path, auth.role, ctx);
      })) as LoginAnswer;
      const token = answer.auth?.client_token;
      if (typeof token !== 'string' || token === '') {
        throw new PermissionDeniedError(`Vault at ${ctx.address} answered the AWS IAM login without a token; check the aws auth method's role ${auth.role || '(default)'}`, {
          url: ctx.address,
        });
      }
      return leaseOf(answer, token);
    },
  };
}

/** A refused AWS IAM login, saying what to check. */
function loginError(e: unknown, path: string, role: string, ctx: RequestContext): Error {
  const status = vaultStatus(e);
  const detail = redactSecrets(vaultMessages(e).join('; '));
  const as = `role ${role || "(Vault's default: the IAM principal's name)"}`;
  if (status === 404) {
    return new PermissionDeniedError(
      `Vault at ${ctx.address} has no AWS auth method at ${path} (${detail}). Enable it (vault auth enable aws), set VAULT_AWS_AUTH_MOUNT to where it is, or set VAULT_TOKEN.`,
      { url: ctx.address, cause: safeCause(e) },
    );
  }
  if (status === 400 || status === 401 || status === 403) {
    return new PermissionDeniedError(
      `Vault at ${ctx.address} refused the AWS IAM login at ${path} (${as}): ${detail}. Check that the AWS auth method is enabled there (else set VAULT_AWS_AUTH_MOUNT), ` +
        "that the Vault role is bound to this machine's IAM principal, and that VAULT_AWS_IAM_SERVER_ID matches the method's iam_server_id_header_value; or set VAULT_TOKEN.",
      { url: ctx.address, cause: safeCause(e) },
    );
  }
  return mapVaultError(e, { ...ctx, url: `${ctx.address}/v1/${path}`, policyPath: path, capabilities: ['update'] });
}

interface LoginAnswer {
  auth?: { client_token?: unknown; lease_duration?: unknown; renewable?: unknown };
}

function leaseOf(answer: LoginAnswer, fallbackToken: string): TokenLease {
  const token = typeof answer.auth?.client_token === 'string' && answer.auth.client_token !== '' ? answer.auth.client_token : fallbackToken;
  return { token, ttlSeconds: Number(answer.auth?.lease_duration) || 0, renewable: answer.auth?.renewable === true };
}
