/**
 * azureblob:// URLs as kops parses them, and where the endpoint and credentials come from. Offline:
 * opening a URL sends no request.
 */
import { isInvalidConfig, isInvalidUrl, parseUrl, type PluginContext } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import plugin, { parseAzureBlobUrl, readSettings } from '../src/index.js';
import { open } from './harness.js';

const KEY = Buffer.alloc(64, 7).toString('base64');
const context = (env: NodeJS.ProcessEnv, options: Record<string, unknown> = {}): PluginContext => ({ env, options, warn: () => undefined });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection, but it succeeded');
}

describe('azureblob://<account>/<container>/<key>', () => {
  it('takes the host as the account, the first segment as the container, the rest as the key', () => {
    expect(parseAzureBlobUrl(parseUrl('azureblob://account1/container1/key/path'))).toEqual({ account: 'account1', container: 'container1', key: 'key/path' });
    expect(parseAzureBlobUrl(parseUrl('azureblob://account1/container1'))).toEqual({ account: 'account1', container: 'container1', key: '' });
    expect(parseAzureBlobUrl(parseUrl('azureblob://account1/container1/'))).toEqual({ account: 'account1', container: 'container1', key: '' });
  });

  it('rejects the old azureblob://<container>/<key> form and a URL without a container, naming the expected form', () => {
    for (const url of ['azureblob://account1', 'azureblob://account1/']) {
      let error: unknown;
      try {
        parseAzureBlobUrl(parseUrl(url));
      } catch (e) {
        error = e;
      }
      expect(isInvalidUrl(error)).toBe(true);
      expect((error as Error).message).toContain(`No container specified in ${url}`);
      expect((error as Error).message).toContain('azureblob://<account>/<container>/<key>');
    }
  });

  it('refuses account and container names Azure would refuse, before any request', () => {
    expect(() => parseAzureBlobUrl(parseUrl('azureblob://127.0.0.1:10000/c1/x'))).toThrow(/AZUREBLOB_ENDPOINT/);
    expect(() => parseAzureBlobUrl(parseUrl('azureblob://My_Account/cont/x'))).toThrow(/storage account/);
    expect(() => parseAzureBlobUrl(parseUrl('azureblob://acct1/Upper/x'))).toThrow(/Invalid container name "Upper"/);
    expect(() => parseAzureBlobUrl(parseUrl('azureblob://acct1/ab/x'))).toThrow(/Invalid container name "ab"/);
    expect(parseAzureBlobUrl(parseUrl('azureblob://acct1/$root/x')).container).toBe('$root');
  });

  it('prints the canonical URL, the root with a trailing slash, and parses it back', async () => {
    const root = await open('azureblob://acct1/cont1', { env: { AZURE_STORAGE_KEY: KEY } });
    expect(root.toString()).toBe('azureblob://acct1/cont1/');
    const odd = root.join('cluster', 'per%cent #1?');
    expect(odd.toString()).toBe('azureblob://acct1/cont1/cluster/per%25cent #1?');
    const again = await open(odd.toString(), { env: { AZURE_STORAGE_KEY: KEY } });
    expect(again.key).toBe('cluster/per%cent #1?');
  });
});

describe('settings', () => {
  it('refuses AZURE_STORAGE_ACCOUNT (the account belongs in the URL), telling the user to unset it', async () => {
    const e = await rejection(open('azureblob://acct1/cont1/x', { env: { AZURE_STORAGE_ACCOUNT: 'acct1', AZURE_STORAGE_KEY: KEY } }));
    expect(isInvalidConfig(e)).toBe(true);
    expect(e.message).toContain('AZURE_STORAGE_ACCOUNT is set');
    expect(e.message).toContain('unset it');
  });

  it('without credentials, names the variables to set', async () => {
    const e = await rejection(open('azureblob://acct1/cont1/x', { env: {} }));
    expect(isInvalidConfig(e)).toBe(true);
    for (const v of ['AZURE_STORAGE_KEY', 'AZURE_STORAGE_CONNECTION_STRING', 'AZURE_STORAGE_SAS_TOKEN']) expect(e.message).toContain(v);
  });

  it('uses the public endpoint by default, AZUREBLOB_ENDPOINT with {account} when set, or the connection string', () => {
    expect(readSettings('acct1', { AZURE_STORAGE_KEY: KEY }).endpoint).toBe('https://acct1.blob.core.windows.net');
    expect(readSettings('acct1', { AZURE_STORAGE_KEY: KEY, AZUREBLOB_ENDPOINT: 'http://127.0.0.1:10000/{account}/' }).endpoint).toBe('http://127.0.0.1:10000/acct1');
    const sovereign = readSettings('acct1', { AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=https;AccountName=acct1;AccountKey=${KEY};EndpointSuffix=core.chinacloudapi.cn` });
    expect(sovereign.endpoint).toBe('https://acct1.blob.core.chinacloudapi.cn');
    expect(sovereign.credential.source).toBe('AZURE_STORAGE_CONNECTION_STRING');
    expect(() => readSettings('acct1', { AZURE_STORAGE_KEY: KEY, AZUREBLOB_ENDPOINT: '127.0.0.1:10000' })).toThrow(/AZUREBLOB_ENDPOINT=127.0.0.1:10000 is not a valid endpoint URL/);
  });

  it('refuses a connection string of another account, and one without a key or SAS', () => {
    expect(() => readSettings('acct1', { AZURE_STORAGE_CONNECTION_STRING: `AccountName=other1;AccountKey=${KEY}` })).toThrow(/for storage account "other1", but the URL names "acct1"/);
    expect(() => readSettings('acct1', { AZURE_STORAGE_CONNECTION_STRING: 'AccountName=acct1;BlobEndpoint=http://127.0.0.1:1/acct1' })).toThrow(/neither AccountKey nor SharedAccessSignature/);
  });

  it('takes a TokenCredential only as an object with getToken', () => {
    const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: 0 }) };
    expect(readSettings('acct1', {}, { azureCredential: credential }).credential.kind).toBe('token');
    expect(() => readSettings('acct1', {}, { azureCredential: 'a-token-string' })).toThrow(/must be a TokenCredential/);
  });

  it('describe() reports where settings come from, never a secret', async () => {
    const url = parseUrl('azureblob://acct1/cont1/x');
    const env = { AZURE_STORAGE_CONNECTION_STRING: `AccountName=acct1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:1/acct1` };
    const description = await plugin.describe!(url, context(env));
    expect(description).toEqual({ account: 'acct1', container: 'cont1', endpoint: 'http://127.0.0.1:1/acct1', credentials: 'AZURE_STORAGE_CONNECTION_STRING' });
    expect(JSON.stringify(description)).not.toContain(KEY);
  });

  it('opening is offline: a URL whose endpoint answers nothing opens without a request', async () => {
    const opened = await plugin.open(parseUrl('azureblob://acct1/cont1/a/b'), context({ AZURE_STORAGE_KEY: KEY, AZUREBLOB_ENDPOINT: 'http://127.0.0.1:1/{account}' }));
    expect(opened.key).toBe('a/b');
    expect(opened.backend.urlFor('a/b')).toBe('azureblob://acct1/cont1/a/b');
    expect(opened.backend.capabilities.atomicCreate).toBe(true);
  });
});
