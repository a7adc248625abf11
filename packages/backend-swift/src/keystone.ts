/**
 * Keystone v3, the pure parts: the token request for password and application-credential auth, and
 * choosing the object-store endpoint from the service catalog by region and interface.
 */
import { InvalidConfigError, NotFoundError } from '@statestore/core';
import type { EndpointInterface, SwiftConfig } from './config.js';

/** `POST …/v3/auth/tokens` for an OS_AUTH_URL given with or without the `/v3` suffix. */
export function tokensUrl(authUrl: string): string {
  const base = authUrl.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return `${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`;
}

type Ref = { id: string } | { name: string; domain?: { id: string } | { name: string } };

/** The request body, as gophercloud builds it from the same settings. */
export function tokenRequestBody(c: SwiftConfig): unknown {
  const domain = c.domainId ? { id: c.domainId } : c.domainName ? { name: c.domainName } : undefined;
  const user: Ref | undefined = c.userId ? { id: c.userId } : c.username ? { name: c.username, ...(domain ? { domain } : {}) } : undefined;
  if (c.applicationCredentialId || c.applicationCredentialName) {
    const credential = c.applicationCredentialId
      ? { id: c.applicationCredentialId, secret: c.applicationCredentialSecret }
      : { name: c.applicationCredentialName, secret: c.applicationCredentialSecret, user };
    // An application credential carries its own scope; Keystone refuses a scope next to it.
    return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
  }
  const project: Ref | undefined = c.projectId
    ? { id: c.projectId }
    : c.projectName
      ? { name: c.projectName, ...(domain ? { domain } : {}) }
      : undefined;
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { ...user, password: c.password } } },
      ...(project ? { scope: { project } } : {}),
    },
  };
}

/** The parts of a Keystone v3 token response this client reads. */
export interface TokenBody {
  token?: {
    expires_at?: string;
    catalog?: CatalogEntry[];
  };
}

export interface CatalogEntry {
  type: string;
  name?: string;
  endpoints: { interface: string; region?: string | null; region_id?: string | null; url: string }[];
}

export interface EndpointChoice {
  region?: string;
  interface: EndpointInterface;
}

/**
 * The object-store URL for the region and interface. No region given and endpoints in several regions is
 * an error that lists them, as is a region or interface the catalog does not offer.
 */
export function selectEndpoint(catalog: readonly CatalogEntry[] | undefined, choice: EndpointChoice, authUrl: string): string {
  const stores = (catalog ?? []).filter((s) => s.type === 'object-store');
  const all = stores.flatMap((s) => s.endpoints);
  if (all.length === 0) {
    throw new NotFoundError(
      `Keystone at ${authUrl} lists no object-store (Swift) endpoint for this token${catalog?.length ? '' : ' (the catalog is empty: is the token scoped to a project? set OS_PROJECT_NAME or OS_PROJECT_ID)'}`,
      { url: authUrl },
    );
  }
  const regionOf = (e: (typeof all)[number]) => e.region_id ?? e.region ?? '';
  const offered = [...new Set(all.map((e) => `${regionOf(e) || '(no region)'}/${e.interface}`))].sort().join(', ');
  const candidates = all.filter((e) => e.interface === choice.interface && (!choice.region || regionOf(e) === choice.region || e.region === choice.region));
  if (candidates.length === 0) {
    throw new InvalidConfigError(
      `Keystone at ${authUrl} offers no ${choice.interface} object-store endpoint${choice.region ? ` in region ${choice.region}` : ''}; it offers ${offered}. Set OS_REGION_NAME (and OS_INTERFACE) to one of those.`,
    );
  }
  const regions = [...new Set(candidates.map(regionOf))];
  if (!choice.region && regions.length > 1) {
    throw new InvalidConfigError(
      `Keystone at ${authUrl} offers object storage in several regions (${regions.sort().join(', ')}); set OS_REGION_NAME to choose one`,
    );
  }
  return candidates[0]!.url.replace(/\/+$/, '');
}
