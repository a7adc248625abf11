/**
 * Settings for azureblob:// URLs: the URL as kops parses it (host = storage account, first path segment =
 * container, the rest = key), and where the endpoint and the credentials come from. Reads only the
 * environment and the plugin options; no network, no SDK.
 */
import { createHash } from 'node:crypto';
import { InvalidConfigError, InvalidUrlError, registerSecret, registerSecretVariable, safeForMessage, type ParsedUrl } from '@statestore/core';
import { endpointText, httpSettingsFor, parseEndpoint } from '@statestore/core/driver-kit';

/** The variable that overrides the blob endpoint (emulators, sovereign clouds, private endpoints). */
export const ENDPOINT_VARIABLE = 'AZUREBLOB_ENDPOINT';

/** An azureblob:// URL taken apart. */
export interface AzureBlobLocation {
  account: string;
  container: string;
  /** Decoded key inside the container (may be empty). */
  key: string;
}

/**
 * A credential object from `@azure/identity` (e.g. `new DefaultAzureCredential()`), or anything with the
 * same `getToken` method. Passed by programs as the `azureCredential` plugin option.
 */
export interface TokenCredentialLike {
  getToken(scopes: string | string[], options?: object): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** How requests are authorised. */
export type AzureCredentialSettings =
  | { kind: 'sharedKey'; accountKey: string; source: string }
  | { kind: 'sas'; token: string; source: string }
  | { kind: 'token'; credential: TokenCredentialLike; source: string };

/** Everything needed to build a client for one storage account. Holds secrets: never print it. */
export interface AzureBlobSettings {
  account: string;
  /** The account's blob endpoint, e.g. `https://acct.blob.core.windows.net` or `http://127.0.0.1:10000/acct`. */
  endpoint: string;
  credential: AzureCredentialSettings;
  /** Per-request timeout (STATESTORE_TIMEOUT). */
  timeoutMs: number;
  /** Proxy URL for the endpoint (HTTPS_PROXY/HTTP_PROXY with NO_PROXY). */
  proxy?: string;
  /** Identifies (endpoint, credential) without revealing the credential: equal ids may copy server-side. */
  id: string;
}

const ACCOUNT = /^[a-z0-9]{3,24}$/;
const CONTAINER = /^(\$root|\$web|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$/;
const EXPECTED = 'expected azureblob://<account>/<container>/<key>';

/** Splits an azureblob:// URL the way kops does. Errors name the URL and the expected form. */
export function parseAzureBlobUrl(url: ParsedUrl): AzureBlobLocation {
  const shown = safeForMessage(url.input);
  const account = url.host;
  if (account === '') throw new InvalidUrlError(`No storage account specified in ${shown}; ${EXPECTED}`, { url: shown });
  if (!ACCOUNT.test(account)) {
    throw new InvalidUrlError(
      `Invalid storage account name "${account}" in ${shown}: the host of an azureblob:// URL is the storage account (3-24 lowercase letters and digits); ${EXPECTED}. For an emulator, put its address in ${ENDPOINT_VARIABLE}, not in the URL.`,
      { url: shown },
    );
  }
  const slash = url.path.indexOf('/');
  const container = slash === -1 ? url.path : url.path.slice(0, slash);
  const key = slash === -1 ? '' : url.path.slice(slash + 1);
  if (container === '') {
    throw new InvalidUrlError(
      `No container specified in ${shown}; ${EXPECTED} (the older form azureblob://<container>/<key> is not supported: the host is the storage account)`,
      { url: shown },
    );
  }
  if (!CONTAINER.test(container)) {
    throw new InvalidUrlError(
      `Invalid container name "${container}" in ${shown}: a container name is 3-63 lowercase letters, digits and single hyphens, starting with a letter or digit; ${EXPECTED}`,
      { url: shown },
    );
  }
  return { account, container, key };
}

/**
 * Reads the endpoint and credentials for `account`, in this order: the `azureCredential` plugin option,
 * AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN. AZURE_STORAGE_ACCOUNT must
 * be unset (as in kops: the account belongs in the URL).
 */
export function readSettings(account: string, env: NodeJS.ProcessEnv, options: Readonly<Record<string, unknown>> = {}): AzureBlobSettings {
  // Values of these never appear in a message or a log line (AZURE_STORAGE_KEY is known to core).
  registerSecretVariable('AZURE_STORAGE_CONNECTION_STRING');
  registerSecretVariable('AZURE_STORAGE_SAS_TOKEN');
  if (env.AZURE_STORAGE_ACCOUNT) {
    throw new InvalidConfigError(
      `AZURE_STORAGE_ACCOUNT is set (to "${env.AZURE_STORAGE_ACCOUNT}"); unset it: the storage account of an azureblob:// URL is its host (azureblob://<account>/<container>/<key>), as in kops`,
    );
  }
  const connection = env.AZURE_STORAGE_CONNECTION_STRING ? parseConnectionString(env.AZURE_STORAGE_CONNECTION_STRING, account) : undefined;
  const credential = credentialFrom(account, env, options, connection);
  const override = env[ENDPOINT_VARIABLE];
  const endpoint = trimSlash(
    override
      ? checkedEndpoint(override.replaceAll('{account}', account), ENDPOINT_VARIABLE)
      : (connection?.endpoint ?? `https://${account}.blob.core.windows.net`),
  );
  const http = httpSettingsFor(endpoint, { env });
  return {
    account,
    endpoint,
    credential,
    timeoutMs: http.timeoutMs,
    ...(http.proxy ? { proxy: http.proxy } : {}),
    id: `${endpoint}#${fingerprint(credential)}`,
  };
}

interface ConnectionSettings {
  accountKey?: string;
  sas?: string;
  endpoint?: string;
}

/** The parts of an Azure Storage connection string this plugin uses. Its account must be the URL's. */
export function parseConnectionString(text: string, account: string): ConnectionSettings {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const named = fields.get('accountname');
  if (named && named !== account) {
    throw new InvalidConfigError(
      `AZURE_STORAGE_CONNECTION_STRING is for storage account "${named}", but the URL names "${account}"; use the connection string of ${account}, or unset it`,
    );
  }
  const accountKey = fields.get('accountkey');
  const sas = fields.get('sharedaccesssignature');
  if (!accountKey && !sas) {
    throw new InvalidConfigError('AZURE_STORAGE_CONNECTION_STRING has neither AccountKey nor SharedAccessSignature; copy the full connection string from the portal (Access keys)');
  }
  const blobEndpoint = fields.get('blobendpoint');
  const protocol = fields.get('defaultendpointsprotocol') ?? 'https';
  const suffix = fields.get('endpointsuffix');
  const endpoint = blobEndpoint ? checkedEndpoint(blobEndpoint, 'BlobEndpoint in AZURE_STORAGE_CONNECTION_STRING') : suffix ? `${protocol}://${account}.blob.${suffix}` : undefined;
  return { ...(accountKey ? { accountKey } : {}), ...(sas ? { sas } : {}), ...(endpoint ? { endpoint } : {}) };
}

function credentialFrom(account: string, env: NodeJS.ProcessEnv, options: Readonly<Record<string, unknown>>, connection: ConnectionSettings | undefined): AzureCredentialSettings {
  const given = options.azureCredential;
  if (given !== undefined) {
    if (typeof (given as Partial<TokenCredentialLike>)?.getToken !== 'function') {
      throw new InvalidConfigError('The azureCredential plugin option must be a TokenCredential (an object with getToken), e.g. new DefaultAzureCredential() from @azure/identity');
    }
    return { kind: 'token', credential: given as TokenCredentialLike, source: 'the azureCredential option (Microsoft Entra ID)' };
  }
  if (connection?.accountKey) return sharedKey(connection.accountKey, 'AZURE_STORAGE_CONNECTION_STRING');
  if (connection?.sas) return sas(connection.sas, 'AZURE_STORAGE_CONNECTION_STRING');
  if (env.AZURE_STORAGE_KEY) return sharedKey(env.AZURE_STORAGE_KEY, 'AZURE_STORAGE_KEY');
  if (env.AZURE_STORAGE_SAS_TOKEN) return sas(env.AZURE_STORAGE_SAS_TOKEN, 'AZURE_STORAGE_SAS_TOKEN');
  throw new InvalidConfigError(
    `No credentials for storage account ${account}: set AZURE_STORAGE_KEY (an access key of ${account}), AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_SAS_TOKEN; programs may pass a TokenCredential as the azureCredential plugin option`,
  );
}

function sharedKey(accountKey: string, source: string): AzureCredentialSettings {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(accountKey)) throw new InvalidConfigError(`The account key in ${source} is not base64; copy key1 or key2 from the storage account's Access keys`);
  registerSecret(accountKey);
  return { kind: 'sharedKey', accountKey, source };
}

function sas(token: string, source: string): AzureCredentialSettings {
  const trimmed = token.replace(/^\?/, '');
  registerSecret(trimmed);
  return { kind: 'sas', token: trimmed, source };
}

function checkedEndpoint(value: string, where: string): string {
  const url = parseEndpoint(value, where, { example: 'https://<account>.blob.core.windows.net or http://127.0.0.1:10000/<account>' });
  if (url.search || url.hash) throw new InvalidConfigError(`${where} must not have a query or fragment; put a SAS token in AZURE_STORAGE_SAS_TOKEN`);
  return endpointText(url);
}

function trimSlash(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

const tokenIds = new WeakMap<object, number>();
let nextTokenId = 0;

/** A short, non-reversible identity of a credential (for cache keys and serviceId). */
function fingerprint(credential: AzureCredentialSettings): string {
  if (credential.kind === 'token') {
    let id = tokenIds.get(credential.credential);
    if (id === undefined) tokenIds.set(credential.credential, (id = ++nextTokenId));
    return `token-${id}`;
  }
  const secret = credential.kind === 'sharedKey' ? credential.accountKey : credential.token;
  return `${credential.kind}-${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;
}
