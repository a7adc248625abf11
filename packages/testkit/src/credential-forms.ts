/**
 * The forms in which a credential reaches Statestore by mistake, for the "credentials are never printed"
 * tests of every backend: a `user:password@` part in an endpoint variable, a key pair pasted into a store
 * URL whose secret contains `/`, and credential query parameters (`?token=`, `X-Amz-Signature=`,
 * `X-Amz-Credential=`). Plus `shownBy`, which records everything an operation lets a user see (its
 * result or error, inspected with causes), and `leakedSecrets`, which names what must not be there.
 */
import { inspect } from 'node:util';

/** The secret half of a pasted AWS key pair: it contains `/`, as many real ones do. */
export const PASTED_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
/** The password of an endpoint's `user:password@` part. */
export const ENDPOINT_PASSWORD = 'EndpointPassw0rd-7c1e4a';
export const QUERY_TOKEN = 'QueryToken-3b9f0a8d2e';
export const AMZ_SIGNATURE = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
export const AMZ_CREDENTIAL = 'AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request';

/** Every secret value the forms carry, and the pieces of the pasted secret (a parser may cut it at its `/`). */
export const FORM_SECRETS: readonly string[] = [PASTED_SECRET, ...PASTED_SECRET.split('/'), ENDPOINT_PASSWORD, QUERY_TOKEN, AMZ_SIGNATURE, AMZ_CREDENTIAL];

export interface CredentialUrl {
  form: string;
  url: string;
}

/**
 * Store URLs of `scheme` that carry credentials. `host` is the bucket, container or `host:port`, `path` a
 * key below it, `suffix` what the scheme needs at the very end (vault://'s `?tls=false`).
 */
export function credentialUrls(scheme: string, host: string, path: string, suffix = ''): CredentialUrl[] {
  return [
    { form: 'a pasted key pair whose secret contains /', url: `${scheme}://AKIAIOSFODNN7EXAMPLE:${PASTED_SECRET}@${host}/${path}${suffix}` },
    { form: '?token=', url: `${scheme}://${host}/${path}?token=${QUERY_TOKEN}${suffix}` },
    {
      form: 'X-Amz-Signature= and X-Amz-Credential=',
      url: `${scheme}://${host}/${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${AMZ_CREDENTIAL}&X-Amz-Signature=${AMZ_SIGNATURE}${suffix}`,
    },
  ];
}

/** `endpoint` with `user:ENDPOINT_PASSWORD@` in it (`http://host:port` → `http://statestore:…@host:port`). */
export function withUserinfo(endpoint: string): string {
  return endpoint.replace(/^([a-z][a-z0-9+.-]*:\/\/)?/i, (scheme) => `${scheme}statestore:${ENDPOINT_PASSWORD}@`);
}

/** What an operation shows: its result, or its error with the message and every cause, fully inspected. */
export async function shownBy(operation: () => Promise<unknown>): Promise<string> {
  try {
    return inspect(await operation(), { depth: 8 });
  } catch (e) {
    return `${String(e)}\n${inspect(e, { depth: 8 })}`;
  }
}

/** The secrets found in `text`, each shown by its first characters only; [] when none. */
export function leakedSecrets(text: string, secrets: readonly string[] = FORM_SECRETS): string[] {
  return secrets.filter((s) => text.includes(s)).map((s) => `${s.slice(0, 4)}…(${s.length} chars)`);
}
