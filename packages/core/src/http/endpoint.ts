/**
 * http/endpoint owns reading a service endpoint that a user gives in a variable or a file (S3_ENDPOINT,
 * AWS_ENDPOINT_URL_S3, STORAGE_EMULATOR_HOST, OSS_ENDPOINT, OS_AUTH_URL, …): a bare `host[:port]` gets a
 * scheme, only http:// and https:// are accepted, and a `user:password@` part is dropped, its password
 * registered as a secret. No object store authenticates with it (the SDKs sign requests instead), and
 * dropping it here means the endpoint can be shown in any message, log line or JSON output.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { redactUrl, registerSecret } from '../errors/redact.js';

export interface EndpointOptions {
  /** Scheme given to a bare `host[:port]`; without one, a value must name its scheme. */
  defaultScheme?: 'http' | 'https';
  /** What a valid value looks like, for the error message (e.g. `a URL such as https://host:port`). */
  example: string;
}

/**
 * Parses an endpoint named by `where` (a variable name, or "BlobEndpoint in …"). The result has no user
 * information; InvalidConfigError (without the credentials) when it is not an http(s) URL.
 */
export function parseEndpoint(raw: string, where: string, options: EndpointOptions): URL {
  const value = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || !options.defaultScheme ? value : `${options.defaultScheme}://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidConfigError(`${where}=${redactUrl(value)} is not a valid endpoint URL; give ${options.example}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidConfigError(`${where}=${redactUrl(value)} must be an http:// or https:// URL, e.g. ${options.example}`);
  }
  if (url.password) registerSecret(decodeURIComponent(url.password));
  url.username = '';
  url.password = '';
  return url;
}

/** The endpoint as text without a trailing `/` (`https://host:port`, `https://host/v3`). */
export function endpointText(url: URL): string {
  return url.href.replace(/\/+$/, '');
}
