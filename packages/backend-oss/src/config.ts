/**
 * Settings for one oss:// store, from the URL, the environment and resolvePath's plugin options. Reading them
 * is cheap and offline: nothing here touches the network or loads the SDK.
 *
 * The variables kops documented for oss://:
 * - `OSS_REGION`: the OSS region, `oss-cn-hangzhou` (`cn-hangzhou` is accepted too). Without it, the region of
 *   the ECS instance from its metadata service.
 * - `ALIYUN_ACCESS_KEY_ID` + `ALIYUN_ACCESS_KEY_SECRET`: an AccessKey pair (both or neither), with
 *   `ALIYUN_SECURITY_TOKEN` (or `ALIBABA_CLOUD_SECURITY_TOKEN`) when the pair is an STS one. Without them, the
 *   Alibaba Cloud SDK variables `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`/`ALIBABA_CLOUD_SECURITY_TOKEN`, then the
 *   ECS instance RAM role (`ALIBABA_CLOUD_ECS_METADATA` names the role; otherwise it is looked up), whose STS
 *   credentials are refreshed before they expire. `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` turns that off.
 * - `ALIYUN_OSS_INTERNAL`: use the region's internal (VPC) endpoint. Only true/1/yes/on enable it and
 *   false/0/no/off (or empty) disable it; anything else is refused (kops enabled it for any value, even "false").
 *
 * Added for tests and private clouds:
 * - `OSS_ENDPOINT`: the endpoint to talk to instead of `https://<region>[-internal].aliyuncs.com`, e.g.
 *   `http://127.0.0.1:9000` (a scheme-less value means https). Objects are then addressed path-style
 *   (`/bucket/key`) when the host is an IP address or `OSS_PATH_STYLE=true`, virtual-host style otherwise.
 * - `STATESTORE_ECS_METADATA_ENDPOINT`: the ECS metadata service (default `http://100.100.100.200`).
 * - `STATESTORE_OSS_ACL` or the plugin option `acl`: the object ACL of new objects (default `private`).
 * - plugin options `signatureVersion` (4, the default, or 1) and `partSize` (bytes per multipart part).
 * - `STATESTORE_TIMEOUT` (seconds, core's HTTP setting): per-request timeout; proxies and CAs as core reads them.
 */
import { isIP } from 'node:net';
import { InvalidConfigError, InvalidUrlError, registerSecretVariable, type ParsedUrl } from '@statestore/core';
import { endpointText, parseEndpoint } from '@statestore/core/driver-kit';

/** Object ACLs OSS accepts in `x-oss-object-acl`. */
export const OBJECT_ACLS = ['private', 'public-read', 'public-read-write', 'default'] as const;
export type ObjectAcl = (typeof OBJECT_ACLS)[number];

export const DEFAULT_METADATA_ENDPOINT = 'http://100.100.100.200';
/** Bytes per part of a multipart upload, and the largest stream buffered for a single PutObject. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** OSS's smallest allowed part (every part but the last). */
export const MIN_PART_SIZE = 100 * 1024;

for (const name of ['ALIYUN_SECURITY_TOKEN', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN']) {
  registerSecretVariable(name);
}

/** Where credentials come from. Static ones carry their values; the RAM role is fetched at run time. */
export type CredentialSettings =
  | { kind: 'static'; accessKeyId: string; accessKeySecret: string; securityToken?: string; from: string }
  | { kind: 'ecs-ram-role'; roleName?: string; imdsV1Disabled: boolean };

export interface OssSettings {
  /** Lowercase bucket name (the SDK kops used lowercased it too). */
  bucket: string;
  /** The key the URL points at inside the bucket (may be empty). */
  key: string;
  /** `oss-<region id>`, or undefined to ask the ECS metadata service. */
  region?: string;
  internal: boolean;
  /** OSS_ENDPOINT as a URL with a scheme, when set. */
  endpoint?: string;
  /** Address objects as `/bucket/key` (only with an endpoint override). */
  pathStyle: boolean;
  credentials: CredentialSettings;
  metadataEndpoint: string;
  acl: ObjectAcl;
  signatureVersion: 1 | 4;
  partSize: number;
}

/** Bucket names as OSS accepts them: 3–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export function ossSettings(url: ParsedUrl, env: NodeJS.ProcessEnv, options: Readonly<Record<string, unknown>> = {}): OssSettings {
  const bucket = url.host.toLowerCase();
  if (!BUCKET_NAME.test(bucket)) {
    throw new InvalidUrlError(
      `Invalid URL oss://${url.host}/: "${url.host}" is not an OSS bucket name (3-63 lowercase letters, digits or "-", not starting or ending with "-"); expected oss://BUCKET/PATH`,
      { url: `oss://${url.host}/` },
    );
  }
  const endpoint = endpointFrom(env.OSS_ENDPOINT);
  const pathStyleText = env.OSS_PATH_STYLE;
  const pathStyle = endpoint !== undefined && (pathStyleText ? flag('OSS_PATH_STYLE', pathStyleText) : isIP(new URL(endpoint).hostname.replace(/^\[|\]$/g, '')) !== 0);
  return {
    bucket,
    key: url.path,
    ...optionalRegion(env.OSS_REGION, endpoint),
    internal: env.ALIYUN_OSS_INTERNAL ? flag('ALIYUN_OSS_INTERNAL', env.ALIYUN_OSS_INTERNAL) : false,
    ...(endpoint ? { endpoint } : {}),
    pathStyle,
    credentials: credentialsFrom(env),
    metadataEndpoint: (env.STATESTORE_ECS_METADATA_ENDPOINT || DEFAULT_METADATA_ENDPOINT).replace(/\/+$/, ''),
    acl: aclFrom(options.acl ?? env.STATESTORE_OSS_ACL, options.acl !== undefined ? 'the plugin option acl' : 'STATESTORE_OSS_ACL') ?? 'private',
    signatureVersion: signatureVersionFrom(options.signatureVersion),
    partSize: partSizeFrom(options.partSize),
  };
}

/** A boolean environment variable: true/1/yes/on or false/0/no/off, anything else refused. */
export function flag(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  throw new InvalidConfigError(`${name}=${value} is not a boolean; use true or false`);
}

/** `oss-cn-hangzhou` or `cn-hangzhou` → `oss-cn-hangzhou`. */
export function regionFrom(value: string, source: string): string {
  const region = value.trim().toLowerCase();
  if (!/^[a-z0-9]+(-[a-z0-9]+)+$/.test(region)) throw new InvalidConfigError(`${source}=${value} is not an OSS region such as oss-cn-hangzhou`);
  return region.startsWith('oss-') ? region : `oss-${region}`;
}

function optionalRegion(value: string | undefined, endpoint: string | undefined): { region?: string } {
  if (value) return { region: regionFrom(value, 'OSS_REGION') };
  // An OSS endpoint names its region: oss-cn-hangzhou[-internal].aliyuncs.com.
  const m = endpoint ? /^(?:[^.]+\.)?(oss-[a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com$/.exec(new URL(endpoint).hostname) : null;
  return m ? { region: m[1]! } : {};
}

function endpointFrom(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const parsed = parseEndpoint(value, 'OSS_ENDPOINT', { defaultScheme: 'https', example: 'a URL such as https://oss-cn-hangzhou.aliyuncs.com or http://127.0.0.1:9000' });
  if (parsed.pathname !== '/' || parsed.search) throw new InvalidConfigError(`OSS_ENDPOINT=${endpointText(parsed)} must be scheme://host[:port] without a path`);
  return `${parsed.protocol}//${parsed.host}`;
}

function credentialsFrom(env: NodeJS.ProcessEnv): CredentialSettings {
  for (const [idName, secretName, tokenNames] of [
    ['ALIYUN_ACCESS_KEY_ID', 'ALIYUN_ACCESS_KEY_SECRET', ['ALIYUN_SECURITY_TOKEN', 'ALIBABA_CLOUD_SECURITY_TOKEN']],
    ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', ['ALIBABA_CLOUD_SECURITY_TOKEN']],
  ] as const) {
    const id = env[idName]?.trim();
    const secret = env[secretName]?.trim();
    if (!id && !secret) continue;
    if (!id) throw new InvalidConfigError(`${idName} cannot be empty when ${secretName} is set; set both, or neither`);
    if (!secret) throw new InvalidConfigError(`${secretName} cannot be empty when ${idName} is set; set both, or neither`);
    const tokenName = tokenNames.find((n) => env[n]?.trim());
    return {
      kind: 'static',
      accessKeyId: id,
      accessKeySecret: secret,
      ...(tokenName ? { securityToken: env[tokenName]!.trim() } : {}),
      from: tokenName ? `${idName}, ${secretName} and ${tokenName}` : `${idName} and ${secretName}`,
    };
  }
  if (env.ALIBABA_CLOUD_ECS_METADATA_DISABLED && flag('ALIBABA_CLOUD_ECS_METADATA_DISABLED', env.ALIBABA_CLOUD_ECS_METADATA_DISABLED)) {
    throw new InvalidConfigError(
      'No Alibaba Cloud credentials: set ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET (or run on ECS with a RAM role and unset ALIBABA_CLOUD_ECS_METADATA_DISABLED)',
    );
  }
  const roleName = env.ALIBABA_CLOUD_ECS_METADATA?.trim();
  const imdsV1Disabled = env.ALIBABA_CLOUD_IMDSV1_DISABLED ? flag('ALIBABA_CLOUD_IMDSV1_DISABLED', env.ALIBABA_CLOUD_IMDSV1_DISABLED) : false;
  return { kind: 'ecs-ram-role', ...(roleName ? { roleName } : {}), imdsV1Disabled };
}

export function aclFrom(value: unknown, source: string): ObjectAcl | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !(OBJECT_ACLS as readonly string[]).includes(value.trim())) {
    throw new InvalidConfigError(`${source}=${String(value)} is not an OSS object ACL; use one of ${OBJECT_ACLS.join(', ')}`);
  }
  return value.trim() as ObjectAcl;
}

function signatureVersionFrom(value: unknown): 1 | 4 {
  if (value === undefined) return 4;
  if (value === 1 || value === 4 || value === '1' || value === '4') return Number(value) as 1 | 4;
  throw new InvalidConfigError(`The oss:// plugin option signatureVersion=${String(value)} must be 4 (the default) or 1`);
}

function partSizeFrom(value: unknown): number {
  if (value === undefined) return DEFAULT_PART_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_PART_SIZE || value > 5 * 1024 ** 3) {
    throw new InvalidConfigError(`The oss:// plugin option partSize=${String(value)} must be a whole number of bytes from ${MIN_PART_SIZE} (100 KiB) to 5 GiB`);
  }
  return value;
}
