/**
 * Keeping credentials out of text that reaches a message, a log line or JSON output. `redactUrl` is the one
 * redaction of a URL: a `user:password@` part (also a pasted secret that contains `/`, such as
 * `s3://AKIA…:wJal…/K7MD…@bucket/`) and the values of credential query parameters (`?token=`,
 * `X-Amz-Signature=`, `X-Amz-Credential=`, …). `redactSecrets` applies it to every URL in a text and also
 * replaces the values of secret variables, secrets registered at run time and authorization headers.
 */

/**
 * Variables whose values are secrets. Access key ids are not: they identify a key (AWS prints them), and as
 * every message and log line is redacted, hiding them would also hide any word that happens to equal one.
 */
const SECRET_VARIABLES = new Set([
  'S3_SECRET_ACCESS_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'ALIYUN_ACCESS_KEY_SECRET',
  'OS_PASSWORD',
  'OS_APPLICATION_CREDENTIAL_SECRET',
  'VAULT_TOKEN',
  'GOOGLE_APPLICATION_CREDENTIALS_JSON',
  'AZURE_STORAGE_KEY',
]);

const extraSecrets = new Set<string>();

/** Registers a secret value (e.g. a token obtained at run time) so that it is never printed. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) extraSecrets.add(value);
}

/** Registers the name of an environment variable that holds a secret. */
export function registerSecretVariable(name: string): void {
  SECRET_VARIABLES.add(name);
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** `user:secret@` where the secret may contain `/` (a pasted AWS secret key), but `host:PORT/…` is a port. */
const USERINFO_WITH_SLASH = /^[^/?#@\s:]+:(?!\d{1,5}(?:[/?#]|$))[^@\s?#]*@/;
/**
 * Query parameters whose values are credentials, also percent-encoded (`%3Ftoken%3D…`, as an SDK prints a
 * key that holds them); a value ends where URL-safe characters do.
 */
const CREDENTIAL_QUERY =
  /((?:[?&;]|%3F|%26)(?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature|X-Goog-Credential|Signature|OSSAccessKeyId|security-token|sig|token|access_token|temp_url_sig|password|secret|client_secret|api_?key)(?:=|%3D))[\w\-.~+/=%*]*/gi;
/** A URL inside free text: a scheme, then everything up to white space or a quote. */
const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>`]+/g;

/**
 * The URL with credentials replaced by `***`: `scheme://***@host/…` for a user-info part, and `token=***`
 * for credential query parameters. Anything else (scheme, host, path) is kept, so the message stays useful.
 */
export function redactUrl(url: string): string {
  const scheme = SCHEME.exec(url);
  const userinfo = scheme ? userinfoLength(url.slice(scheme[0].length)) : 0;
  const out = userinfo > 0 ? `${scheme![0]}***@${url.slice(scheme![0].length + userinfo)}` : url;
  return out.replace(CREDENTIAL_QUERY, '$1***');
}

/** True when the URL has a user-info part (`user:password@`), which `redactUrl` would remove. */
export function hasUserinfo(url: string): boolean {
  const scheme = SCHEME.exec(url);
  return scheme !== null && userinfoLength(url.slice(scheme[0].length)) > 0;
}

/** Length of `user:secret@` at the start of what follows `scheme://` (0 when there is none). */
function userinfoLength(rest: string): number {
  const authorityEnd = rest.search(/[/?#]/);
  const at = (authorityEnd === -1 ? rest : rest.slice(0, authorityEnd)).lastIndexOf('@');
  if (at !== -1) return at + 1;
  return USERINFO_WITH_SLASH.exec(rest)?.[0].length ?? 0;
}

/** Free text with every credential replaced by `***` (see the file comment for what counts). */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  const values = new Set(extraSecrets);
  for (const name of SECRET_VARIABLES) {
    const v = env[name];
    if (v && v.length >= 4) values.add(v);
  }
  for (const v of values) out = out.split(v).join('***');
  // Authorization headers and signatures that an SDK may echo.
  return out
    .replace(URL_IN_TEXT, redactUrl)
    .replace(/(authorization["']?\s*[:=]\s*["']?)[^"',\s]+(\s+[^"',\s]+)?/gi, '$1***')
    .replace(/(x-(?:auth|vault|amz-security|oss-security)-token["']?\s*[:=]\s*["']?)[^"',\s]+/gi, '$1***')
    .replace(CREDENTIAL_QUERY, '$1***');
}

/**
 * Redacts, in place, the text an error's cause carries (an SDK error may echo a request's key or query:
 * `Key: 'x?token=…'`, `response.request.href`): the string fields of it and of the objects below it, up to
 * a bound. Fields whose names start with `_` (a stream's or socket's internals), buffers and collections
 * are not visited.
 */
export function redactCause(cause: unknown, env: NodeJS.ProcessEnv = process.env): void {
  const seen = new Set<object>();
  let budget = 2_000;
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 6) return;
    if (ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set) return;
    seen.add(value);
    const record = value as Record<string, unknown>;
    // An error's own fields count even when not enumerable (SDKs hide `request`/`response` that way).
    for (const key of value instanceof Error ? Object.getOwnPropertyNames(record) : Object.keys(record)) {
      if (--budget <= 0) return;
      if (key.startsWith('_')) continue;
      const field = record[key];
      if (typeof field !== 'string') {
        visit(field, depth + 1);
        continue;
      }
      const clean = redactSecrets(field, env);
      if (clean === field) continue;
      try {
        record[key] = clean;
      } catch {
        // a read-only field: nothing to do
      }
    }
  };
  visit(cause, 0);
}
