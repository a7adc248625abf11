/**
 * A client for the ECS instance metadata service (http://100.100.100.200): the instance's region and the STS
 * credentials of its RAM role. It uses the hardened mode (a session token from `PUT /latest/api/token`) and
 * falls back to plain requests when that is not offered, unless ALIBABA_CLOUD_IMDSV1_DISABLED forbids it.
 */
import { registerSecret } from '@statestore/core';

export interface RoleCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

const TOKEN_TTL_SECONDS = 21_600;

export class EcsMetadataClient {
  private token: { value: string; until: number } | undefined;

  constructor(
    readonly endpoint: string,
    private readonly options: { timeoutMs?: number; imdsV1Disabled?: boolean } = {},
  ) {}

  /** The region id, e.g. `cn-hangzhou`. */
  async regionId(): Promise<string> {
    return (await this.get('/latest/meta-data/region-id')).trim();
  }

  /** The name of the RAM role attached to the instance. */
  async roleName(): Promise<string> {
    const name = (await this.get('/latest/meta-data/ram/security-credentials/')).trim().split('\n')[0]?.trim();
    if (!name) throw new Error('the instance has no RAM role attached');
    return name;
  }

  async roleCredentials(roleName: string): Promise<RoleCredentials> {
    const text = await this.get(`/latest/meta-data/ram/security-credentials/${encodeURIComponent(roleName)}`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(`the credentials of RAM role ${roleName} are not JSON`);
    }
    const { AccessKeyId, AccessKeySecret, SecurityToken, Expiration, Code } = body;
    if (Code !== 'Success' || typeof AccessKeyId !== 'string' || typeof AccessKeySecret !== 'string' || typeof SecurityToken !== 'string') {
      throw new Error(`the metadata service did not return credentials for RAM role ${roleName} (Code ${String(Code)})`);
    }
    const expiresAt = typeof Expiration === 'string' ? Date.parse(Expiration) : NaN;
    if (Number.isNaN(expiresAt)) throw new Error(`the credentials of RAM role ${roleName} have no valid Expiration`);
    registerSecret(AccessKeySecret);
    registerSecret(SecurityToken);
    return { accessKeyId: AccessKeyId, accessKeySecret: AccessKeySecret, securityToken: SecurityToken, expiresAt };
  }

  private async get(path: string): Promise<string> {
    const token = await this.sessionToken();
    const res = await fetch(`${this.endpoint}${path}`, {
      headers: token ? { 'X-aliyun-ecs-metadata-token': token } : {},
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 2_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.endpoint}${path} answered ${res.status}`);
    return text;
  }

  private async sessionToken(): Promise<string | undefined> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    try {
      const res = await fetch(`${this.endpoint}/latest/api/token`, {
        method: 'PUT',
        headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': String(TOKEN_TTL_SECONDS) },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 2_000),
      });
      const value = (await res.text()).trim();
      if (!res.ok || !value) throw new Error(`answered ${res.status}`);
      registerSecret(value);
      this.token = { value, until: Date.now() + (TOKEN_TTL_SECONDS - 60) * 1000 };
      return value;
    } catch (e) {
      if (this.options.imdsV1Disabled) {
        throw new Error(`the metadata service at ${this.endpoint} gave no session token (${(e as Error).message}) and ALIBABA_CLOUD_IMDSV1_DISABLED forbids plain requests`);
      }
      return undefined;
    }
  }
}
