/**
 * aws-iam-login: the body of Vault's AWS IAM login (`auth/aws/login`), as kops sent it from nodes. The node
 * signs, but does not send, an `sts:GetCallerIdentity` request with SigV4; Vault replays it to STS to learn
 * who the caller is. The signed request travels as `iam_http_request_method`, `iam_request_url` (base64),
 * `iam_request_body` (base64) and `iam_request_headers` (base64 of the JSON headers), plus `role`. A signed
 * `X-Vault-AWS-IAM-Server-ID` header binds the signature to one Vault (its `iam_server_id_header_value`).
 * The AWS libraries are imported only when a login happens.
 */
import type { AwsCredentials } from './config.js';

/** The STS request Vault replays: global endpoint, us-east-1 signing region (Vault's default sts_region). */
export const STS_URL = 'https://sts.amazonaws.com/';
export const STS_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
export const STS_REGION = 'us-east-1';
export const SERVER_ID_HEADER = 'X-Vault-AWS-IAM-Server-ID';

/** The fields of an `auth/aws/login` request for the IAM method. */
export interface IamLoginData {
  role: string;
  iam_http_request_method: 'POST';
  /** base64 of {@link STS_URL}. */
  iam_request_url: string;
  /** base64 of {@link STS_BODY}. */
  iam_request_body: string;
  /** base64 of the JSON object of signed headers, each a list of values (Go's http.Header shape). */
  iam_request_headers: string;
}

export interface IamLoginOptions {
  role: string;
  /** Value of the X-Vault-AWS-IAM-Server-ID header; undefined sends none. */
  serverId: string | undefined;
  /** Static credentials; undefined uses the AWS SDK's default provider chain (env, files, SSO, ECS, IMDS, …). */
  credentials: AwsCredentials | undefined;
  /** Signing time (tests pin it to recompute the signature). */
  signingDate?: Date;
}

/** Signs a GetCallerIdentity request and packs it as Vault's IAM login data. */
export async function iamLoginData(options: IamLoginOptions): Promise<IamLoginData> {
  const [{ SignatureV4 }, { Sha256 }] = await Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')]);
  const credentials = options.credentials ?? (await defaultCredentials());
  const url = new URL(STS_URL);
  const signer = new SignatureV4({ service: 'sts', region: STS_REGION, credentials, sha256: Sha256 });
  const headers: Record<string, string> = {
    host: url.hostname,
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    ...(options.serverId !== undefined ? { [SERVER_ID_HEADER]: options.serverId } : {}),
  };
  const signed = await signer.sign(
    { method: 'POST', protocol: url.protocol, hostname: url.hostname, path: url.pathname, query: {}, headers, body: STS_BODY },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  // Vault takes the host from the URL, as Go's http.Header never holds it.
  const sent: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name.toLowerCase() !== 'host') sent[name] = [value];
  const base64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    role: options.role,
    iam_http_request_method: 'POST',
    iam_request_url: base64(STS_URL),
    iam_request_body: base64(STS_BODY),
    iam_request_headers: base64(JSON.stringify(sent)),
  };
}

async function defaultCredentials(): Promise<AwsCredentials> {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain()();
}
