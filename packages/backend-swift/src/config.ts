/**
 * Settings for swift://: the OS_* environment variables kops reads, else the kops credentials file
 * ($OPENSTACK_CREDENTIAL_FILE, else $HOME/.openstack/config). When OS_AUTH_URL is set the credentials come
 * from the environment alone (never half from each), as in kops; OS_REGION_NAME overrides the file's region
 * either way.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidConfigError } from '@statestore/core';
import { booleanVariable, endpointText, parseEndpoint } from '@statestore/core/driver-kit';

/** The endpoint interface of the service catalog. */
export type EndpointInterface = 'public' | 'internal' | 'admin';

/** Everything needed to authenticate and to pick the object-store endpoint. */
export interface SwiftConfig {
  /** OS_AUTH_URL (or the file's identity URL) without any `user:password@` part. */
  authUrl: string;
  /** 1: tempauth/swauth (`…/auth/v1.0`); 3: Keystone v3. */
  authVersion: 1 | 3;
  username?: string;
  userId?: string;
  password?: string;
  projectId?: string;
  projectName?: string;
  domainId?: string;
  domainName?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  region?: string;
  /** Catalog interface (OS_INTERFACE; default public). */
  interface: EndpointInterface;
  /** KOPS_OS_TLS_INSECURE_SKIP_VERIFY, a yes/no value (core's one dialect: `TRUE` is true too). */
  insecure: boolean;
  /** Where the credentials came from: `environment` or the file's path. */
  source: string;
}

/** Reads the settings; InvalidConfigError names what is missing and where to put it. */
export function readSwiftConfig(env: NodeJS.ProcessEnv): SwiftConfig {
  const base = env.OS_AUTH_URL ? fromEnvironment(env) : fromFile(env);
  const region = stripQuotes(env.OS_REGION_NAME) ?? base.region;
  const iface = (env.OS_INTERFACE ?? 'public').toLowerCase().replace(/url$/, '');
  if (iface !== 'public' && iface !== 'internal' && iface !== 'admin') {
    throw new InvalidConfigError(`OS_INTERFACE=${env.OS_INTERFACE} is not an endpoint interface; use public, internal or admin`);
  }
  const where = base.source === 'environment' ? 'OS_AUTH_URL' : `identity in ${base.source}`;
  const authUrl = endpointText(parseEndpoint(base.authUrl, where, { example: 'https://keystone.example.com:5000/v3' }));
  const config: SwiftConfig = {
    ...base,
    authUrl,
    ...(region ? { region } : {}),
    interface: iface,
    insecure: booleanVariable(env, 'KOPS_OS_TLS_INSECURE_SKIP_VERIFY'),
    authVersion: authVersionOf(authUrl, base.source),
  };
  checkComplete(config);
  return config;
}

type BaseConfig = Omit<SwiftConfig, 'interface' | 'insecure' | 'authVersion'>;

function fromEnvironment(env: NodeJS.ProcessEnv): BaseConfig {
  const v = (name: string) => (env[name] === '' ? undefined : env[name]);
  return compact({
    authUrl: env.OS_AUTH_URL!,
    username: v('OS_USERNAME'),
    userId: v('OS_USERID'),
    password: v('OS_PASSWORD'),
    projectId: v('OS_PROJECT_ID') ?? v('OS_TENANT_ID'),
    projectName: v('OS_PROJECT_NAME') ?? v('OS_TENANT_NAME'),
    domainId: v('OS_DOMAIN_ID'),
    domainName: v('OS_DOMAIN_NAME'),
    applicationCredentialId: v('OS_APPLICATION_CREDENTIAL_ID'),
    applicationCredentialName: v('OS_APPLICATION_CREDENTIAL_NAME'),
    applicationCredentialSecret: v('OS_APPLICATION_CREDENTIAL_SECRET'),
    source: 'environment',
  });
}

/** The credentials file kops reads: INI with `[Default]` credentials and `[Global] region`. */
export function credentialFilePath(env: NodeJS.ProcessEnv): string {
  return env.OPENSTACK_CREDENTIAL_FILE || path.join(env.HOME || os.homedir(), '.openstack', 'config');
}

function fromFile(env: NodeJS.ProcessEnv): BaseConfig {
  const file = credentialFilePath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InvalidConfigError(
      `No OpenStack credentials for swift://: OS_AUTH_URL is not set and ${file} cannot be read (${code}). Set OS_AUTH_URL, OS_USERNAME (or OS_USERID), OS_PASSWORD and OS_PROJECT_NAME (or OS_PROJECT_ID), or use application credentials, or write that file ([Default] identity, user, password, tenant_name, domain_name).`,
    );
  }
  const ini = parseIni(text);
  const d = ini.get('default') ?? new Map<string, string>();
  const missing = (what: string) => new InvalidConfigError(`${file}: missing ${what} in section [Default]; add it, or set the OS_* variables instead`);
  if (!d.get('identity')) throw missing('identity');
  if (!d.get('password')) throw missing('password');
  if (!d.get('user') && !d.get('user_id')) throw missing('user and user_id');
  if (!isV1(d.get('identity')!)) {
    if (!d.get('domain_name') && !d.get('domain_id')) throw missing('domain_name and domain_id');
    if (!d.get('tenant_name') && !d.get('tenant_id')) throw missing('tenant_name and tenant_id');
  }
  return compact({
    authUrl: d.get('identity')!,
    username: d.get('user'),
    userId: d.get('user_id'),
    password: d.get('password'),
    projectId: d.get('tenant_id'),
    projectName: d.get('tenant_name'),
    domainId: d.get('domain_id'),
    domainName: d.get('domain_name'),
    region: ini.get('global')?.get('region'),
    source: file,
  });
}

/** A small INI reader: `[section]` (case-insensitive), `key = value`, `#`/`;` comments, optional quotes. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const name = header[1]!.toLowerCase();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1 || !current) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    current.set(key, line.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return sections;
}

function authVersionOf(authUrl: string, source: string): 1 | 3 {
  let url: URL;
  try {
    url = new URL(authUrl);
  } catch {
    throw new InvalidConfigError(`The OpenStack auth URL from ${source} is not a URL; expected e.g. https://keystone.example.com:5000/v3`);
  }
  const p = url.pathname.replace(/\/+$/, '');
  if (isV1(authUrl)) return 1;
  if (/\/v2(\.\d+)?$/.test(p)) {
    throw new InvalidConfigError(`The OpenStack auth URL from ${source} ends in ${p.slice(p.lastIndexOf('/'))}: Keystone v2 is not supported; use the v3 URL (…/v3)`);
  }
  return 3;
}

/** tempauth and swauth serve v1 auth at a path ending in `/v1.0` (usually `/auth/v1.0`). */
function isV1(authUrl: string): boolean {
  return /\/v1(\.\d+)?\/*$/.test(authUrl.replace(/[?#].*$/, ''));
}

function checkComplete(c: SwiftConfig): void {
  const where = c.source === 'environment' ? 'the environment' : c.source;
  const fail = (what: string) => new InvalidConfigError(`OpenStack credentials in ${where} are incomplete: ${what}`);
  if (c.authVersion === 1) {
    if (!c.username || !c.password) throw fail('v1 auth needs OS_USERNAME (account:user) and OS_PASSWORD (the key)');
    return;
  }
  if (c.applicationCredentialId || c.applicationCredentialName) {
    if (!c.applicationCredentialSecret) throw fail('OS_APPLICATION_CREDENTIAL_SECRET is not set');
    if (!c.applicationCredentialId && !c.username && !c.userId) throw fail('an application credential given by name also needs OS_USERNAME or OS_USERID');
    if (!c.applicationCredentialId && c.username && !c.domainId && !c.domainName) throw fail('OS_USERNAME needs OS_DOMAIN_NAME or OS_DOMAIN_ID');
    return;
  }
  if (!c.username && !c.userId) throw fail('set OS_USERNAME or OS_USERID (or application credentials)');
  if (!c.password) throw fail('OS_PASSWORD is not set');
  if (!c.userId && !c.domainId && !c.domainName) throw fail('OS_USERNAME needs OS_DOMAIN_NAME or OS_DOMAIN_ID');
  if (c.projectName && !c.projectId && !c.domainId && !c.domainName) throw fail('OS_PROJECT_NAME needs OS_DOMAIN_NAME or OS_DOMAIN_ID');
}

function stripQuotes(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.replace(/^'(.*)'$/, '$1') || undefined;
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}
