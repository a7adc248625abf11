/**
 * Settings for one gs:// store, from the URL, the environment and resolvePath's plugin options. Reading
 * them is cheap and offline: nothing here touches the network or loads the SDK.
 *
 * - `STORAGE_EMULATOR_HOST`: talk to an emulator (fake-gcs-server) without credentials. As in Google's Go
 *   SDK (which kops uses), a value without a scheme means `http://`.
 * - `GOOGLE_APPLICATION_CREDENTIALS`: a service-account (or other ADC) key file. Without it, Application
 *   Default Credentials are used: gcloud's ADC file, then the metadata server.
 * - `STATESTORE_GCS_ACL` or the plugin option `acl`: a predefined ACL for new objects.
 * - `STATESTORE_TIMEOUT` (seconds, core's HTTP setting): per-request timeout.
 */
import { existsSync } from 'node:fs';
import { InvalidConfigError, InvalidUrlError, type ParsedUrl } from '@statestore/core';
import { httpSettingsFor, parseEndpoint } from '@statestore/core/driver-kit';

/** GCS predefined ACLs for objects (the JSON API's `predefinedAcl` values). */
export const PREDEFINED_ACLS = ['authenticatedRead', 'bucketOwnerFullControl', 'bucketOwnerRead', 'private', 'projectPrivate', 'publicRead'] as const;
export type PredefinedAcl = (typeof PREDEFINED_ACLS)[number];

/** The public Cloud Storage endpoint. */
export const GCS_ENDPOINT = 'https://storage.googleapis.com';

export interface GcsSettings {
  bucket: string;
  /** The key the URL points at inside the bucket (may be empty). */
  key: string;
  /** Emulator endpoint from STORAGE_EMULATOR_HOST (`http://host:port`), used without credentials. */
  emulatorEndpoint?: string;
  /** Credential file from GOOGLE_APPLICATION_CREDENTIALS; absent means the rest of the ADC chain. */
  keyFilename?: string;
  /** Predefined ACL for new objects, unless a write names its own. */
  predefinedAcl?: PredefinedAcl;
  timeoutMs: number;
}

/** Bucket names as Cloud Storage accepts them: 3–63 characters (222 with dots), lowercase, digits, `-`, `_`, `.`. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** The settings for a gs:// URL; InvalidUrlError/InvalidConfigError name what is wrong and how to fix it. */
export function gcsSettings(url: ParsedUrl, env: NodeJS.ProcessEnv, options: Readonly<Record<string, unknown>> = {}): GcsSettings {
  const bucket = url.host;
  if (!BUCKET_NAME.test(bucket) || (!bucket.includes('.') && bucket.length > 63)) {
    throw new InvalidUrlError(
      `Invalid URL gs://${bucket}/: "${bucket}" is not a Cloud Storage bucket name (3-63 lowercase letters, digits, "-", "_" or "."); expected gs://BUCKET/PATH`,
      { url: `gs://${bucket}/` },
    );
  }
  const emulatorEndpoint = emulatorEndpointFrom(env.STORAGE_EMULATOR_HOST);
  const keyFilename = env.GOOGLE_APPLICATION_CREDENTIALS || undefined;
  if (keyFilename && !emulatorEndpoint && !existsSync(keyFilename)) {
    throw new InvalidConfigError(
      `GOOGLE_APPLICATION_CREDENTIALS=${keyFilename} does not exist; point it at a credential JSON file, or unset it to use gcloud's Application Default Credentials (gcloud auth application-default login)`,
    );
  }
  const aclOption = options.acl ?? env.STATESTORE_GCS_ACL;
  if (aclOption !== undefined && typeof aclOption !== 'string') throw new InvalidConfigError('The gs:// plugin option "acl" must be a string naming a predefined ACL');
  const predefinedAcl = aclOption ? predefinedAclFrom(aclOption, options.acl !== undefined ? 'the plugin option acl' : 'STATESTORE_GCS_ACL') : undefined;
  const { timeoutMs } = httpSettingsFor(emulatorEndpoint ?? GCS_ENDPOINT, { env });
  return {
    bucket,
    key: url.path,
    ...(emulatorEndpoint ? { emulatorEndpoint } : {}),
    ...(keyFilename ? { keyFilename } : {}),
    ...(predefinedAcl ? { predefinedAcl } : {}),
    timeoutMs,
  };
}

/** `host:port`, `http://host:port/` or `…/storage/v1` → `http://host:port` (user information dropped). */
export function emulatorEndpointFrom(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const parsed = parseEndpoint(value, 'STORAGE_EMULATOR_HOST', { defaultScheme: 'http', example: 'a host:port or an http:// URL' });
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '').replace(/\/storage\/v1$/, '')}`;
}

/** Accepts GCS names (`publicRead`) and the S3-style spelling core users may pass (`public-read`). */
export function predefinedAclFrom(value: string, source: string): PredefinedAcl {
  const camel = value.trim().replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
  const found = PREDEFINED_ACLS.find((acl) => acl.toLowerCase() === camel.toLowerCase());
  if (!found) {
    throw new InvalidConfigError(`${source}=${value} is not a Cloud Storage predefined ACL; use one of ${PREDEFINED_ACLS.join(', ')}`);
  }
  return found;
}
