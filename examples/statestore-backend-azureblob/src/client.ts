/**
 * Loading `@azure/storage-blob` on first real use (the plugin module imports only its types, so a program
 * that never opens azureblob:// never loads the SDK), and one service client per (endpoint, credential)
 * with the SDK's own retries switched off: core retries.
 */
import type { BlobServiceClient, StoragePipelineOptions } from '@azure/storage-blob';
import { BackendCache, once } from '@statestore/core/driver-kit';
import type { AzureBlobSettings } from './config.js';

export type AzureSdk = typeof import('@azure/storage-blob');

/** `@azure/storage-blob`, imported once (again after a failure to import it). */
export const loadSdk = once<AzureSdk>(() => import('@azure/storage-blob'));

const clients = new BackendCache<Promise<BlobServiceClient>>();

/** The service client for these settings, built once per (endpoint, credential). */
export function serviceClient(settings: AzureBlobSettings): Promise<BlobServiceClient> {
  return clients.get([settings.id], () => buildClient(settings));
}

async function buildClient(settings: AzureBlobSettings): Promise<BlobServiceClient> {
  const { BlobServiceClient, StorageSharedKeyCredential, newPipeline } = await loadSdk();
  const options: StoragePipelineOptions = {
    // One try per call: core's retry layer decides what to retry, with its own backoff and deadline.
    retryOptions: { maxTries: 1, tryTimeoutInMs: settings.timeoutMs },
    userAgentOptions: { userAgentPrefix: 'statestore-backend-azureblob' },
    ...(settings.proxy ? { proxyOptions: proxyOptions(settings.proxy) } : {}),
  };
  const { credential } = settings;
  switch (credential.kind) {
    case 'sharedKey':
      return new BlobServiceClient(settings.endpoint, newPipeline(new StorageSharedKeyCredential(settings.account, credential.accountKey), options));
    case 'sas':
      return new BlobServiceClient(`${settings.endpoint}?${credential.token}`, newPipeline(undefined, options));
    case 'token':
      return new BlobServiceClient(settings.endpoint, newPipeline(credential.credential, options));
  }
}

function proxyOptions(proxy: string): { host: string; port: number; username?: string; password?: string } {
  const url = new URL(proxy);
  return {
    host: `${url.protocol}//${url.hostname}`,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    ...(url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : {}),
  };
}
