/**
 * The credentials each request is signed with. Static ones (environment variables) never change; the ECS
 * RAM role's STS credentials are fetched from the metadata service and fetched again before they expire
 * (kops fetched them once and kept using them until requests failed). A refresh that fails while the current
 * credentials are still valid keeps using them; once they have expired, the failure is the request's error.
 */
import { InvalidConfigError, TransientError, registerSecret } from '@statestore/core';
import { once } from '@statestore/core/driver-kit';
import type { CredentialSettings } from './config.js';
import type { EcsMetadataClient } from './ecs-metadata.js';

export interface OssCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** Epoch ms; absent for long-lived keys. */
  expiresAt?: number;
}

/** Refresh this long before expiry (temporary credentials of ECS roles live for hours). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

export interface CredentialSource {
  /** Credentials valid for at least a while longer. */
  current(): Promise<OssCredentials>;
}

export function credentialSource(settings: CredentialSettings, metadata: EcsMetadataClient, warn: (message: string) => void): CredentialSource {
  if (settings.kind === 'static') {
    registerSecret(settings.accessKeySecret);
    registerSecret(settings.securityToken);
    const credentials: OssCredentials = {
      accessKeyId: settings.accessKeyId,
      accessKeySecret: settings.accessKeySecret,
      ...(settings.securityToken ? { securityToken: settings.securityToken } : {}),
    };
    return { current: async () => credentials };
  }
  return new RamRoleCredentials(settings.roleName, metadata, warn);
}

class RamRoleCredentials implements CredentialSource {
  private cached: OssCredentials | undefined;
  /** The refresh under way, shared by every caller; forgotten once done, so the next expiry refreshes again. */
  private readonly refreshing = once<OssCredentials>();
  private role: string | undefined;

  constructor(
    roleName: string | undefined,
    private readonly metadata: EcsMetadataClient,
    private readonly warn: (message: string) => void,
  ) {
    this.role = roleName;
  }

  async current(): Promise<OssCredentials> {
    const cached = this.cached;
    if (cached && cached.expiresAt! - Date.now() > REFRESH_BEFORE_EXPIRY_MS) return cached;
    const refreshing = this.refreshing(() => this.fetch().finally(() => this.refreshing.reset()));
    try {
      return await refreshing;
    } catch (e) {
      if (cached && cached.expiresAt! > Date.now()) {
        this.warn(`Could not refresh the ECS RAM role credentials (${(e as Error).message}); using the current ones until they expire`);
        return cached;
      }
      throw e;
    }
  }

  private async fetch(): Promise<OssCredentials> {
    const client = this.metadata;
    try {
      this.role ??= await client.roleName();
      this.cached = await client.roleCredentials(this.role);
      return this.cached;
    } catch (e) {
      const reason = (e as Error).message;
      if (!this.cached) {
        throw new InvalidConfigError(
          `No Alibaba Cloud credentials: ALIYUN_ACCESS_KEY_ID/ALIYUN_ACCESS_KEY_SECRET are not set and the ECS metadata service at ${client.endpoint} gave no RAM role credentials (${reason}). Set the AccessKey variables, or run on an ECS instance with a RAM role.`,
          { cause: e },
        );
      }
      throw new TransientError(`Could not refresh the ECS RAM role credentials from ${client.endpoint}: ${reason}`, { cause: e });
    }
  }
}
