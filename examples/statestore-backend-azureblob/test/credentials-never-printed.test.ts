/**
 * Credentials are never printed, whatever holds them: a `user:password@` part in AZUREBLOB_ENDPOINT or in
 * the connection string's BlobEndpoint (dropped; Azure signs requests, so Azurite still answers), a key
 * pair pasted into the store URL with a secret containing `/`, and `?token=`, `X-Amz-Signature=`,
 * `X-Amz-Credential=` (and an Azure SAS `sig=`) in it. Errors with their causes and describe() are checked.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseUrl } from '@statestore/core';
import plugin from '../src/index.js';
import { azurite, azuriteEnv, newContainer, open } from './harness.js';

const PASTED = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const PASSWORD = 'EndpointPassw0rd-7c1e4a';
const TOKEN = 'QueryToken-3b9f0a8d2e';
const SIGNATURE = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
const CREDENTIAL = 'AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request';
const SECRETS = [PASTED, ...PASTED.split('/'), PASSWORD, TOKEN, SIGNATURE, CREDENTIAL];

async function shownBy(operation: () => Promise<unknown>): Promise<string> {
  try {
    return inspect(await operation(), { depth: 8 });
  } catch (e) {
    return `${String(e)}\n${inspect(e, { depth: 8 })}`;
  }
}
const leaked = (text: string) => SECRETS.filter((s) => text.includes(s));

describe('credentials are never printed', () => {
  const account = () => azurite().account;
  it.each([
    ['a pasted key pair whose secret contains /', () => `azureblob://AKIAIOSFODNN7EXAMPLE:${PASTED}@${account()}/creds/cluster/config`],
    ['?token=', () => `azureblob://${account()}/creds/cluster/config?token=${TOKEN}`],
    ['X-Amz-Signature= and X-Amz-Credential=', () => `azureblob://${account()}/creds/config?X-Amz-Credential=${CREDENTIAL}&X-Amz-Signature=${SIGNATURE}`],
    ['a SAS sig=', () => `azureblob://${account()}/creds/config?sv=2024-01-01&sig=${TOKEN}`],
  ])('a store URL with %s', async (_form, url) => {
    const shown = await shownBy(async () => (await open(url(), { retry: { maxAttempts: 1 } })).readFile());
    expect(shown).toContain('***');
    expect(leaked(shown)).toEqual([]);
  });

  it('AZUREBLOB_ENDPOINT and BlobEndpoint with user:password@: Azurite still answers, and nothing shows the password', async () => {
    const info = azurite();
    const withPassword = info.address.replace('://', `://statestore:${PASSWORD}@`);
    const env = { ...azuriteEnv(), AZUREBLOB_ENDPOINT: `${withPassword}/{account}` };
    const file = (await open(await newContainer(), { env })).join('config');
    await file.writeFile('kind: Cluster');
    expect(await file.readText()).toBe('kind: Cluster');
    const described = await shownBy(() => plugin.describe!(parseUrl(`azureblob://${info.account}/creds/`), { env, options: {}, warn: () => undefined }));
    const connection = { AZURE_STORAGE_CONNECTION_STRING: `AccountName=${info.account};AccountKey=${info.accountKey};BlobEndpoint=${withPassword}/${info.account}` };
    const fromConnection = await shownBy(() => plugin.describe!(parseUrl(`azureblob://${info.account}/creds/`), { env: connection, options: {}, warn: () => undefined }));
    expect(described).toContain(new URL(info.address).host);
    expect(fromConnection).toContain(new URL(info.address).host);
    expect(leaked(`${described}\n${fromConnection}`)).toEqual([]);
  });
});
