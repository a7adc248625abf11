/**
 * Building the Cloud Storage client, on first use only: the SDK is imported here, dynamically, so a
 * program that never opens a gs:// URL never loads it. The SDK's own retries are switched off (core
 * retries TransientError); an emulator endpoint is used without credentials.
 */
import type { Storage } from '@google-cloud/storage';
import { GCS_ENDPOINT, type GcsSettings } from './config.js';

type RequestOptions = ReturnType<Storage['interceptors'][number]['request']>;

/** What the client needs: an emulator endpoint, or a credential file (else ADC), and the request timeout. */
export type ClientSettings = Pick<GcsSettings, 'emulatorEndpoint' | 'keyFilename' | 'timeoutMs'>;

/** A Cloud Storage client for these settings (imports the SDK on the first call). */
export async function createStorage(settings: ClientSettings): Promise<Storage> {
  const { Storage, IdempotencyStrategy } = await import('@google-cloud/storage');
  const endpoint = settings.emulatorEndpoint;
  const storage = new Storage({
    ...(endpoint
      ? { apiEndpoint: endpoint }
      : { apiEndpoint: GCS_ENDPOINT, useAuthWithCustomEndpoint: true, ...(settings.keyFilename ? { keyFilename: settings.keyFilename } : {}) }),
    timeout: settings.timeoutMs,
    retryOptions: { autoRetry: false, maxRetries: 0, idempotencyStrategy: IdempotencyStrategy.RetryNever },
  });
  // The SDK also reads process.env.STORAGE_EMULATOR_HOST on its own and then uses it verbatim as the API
  // base (and drops credentials). Pin the base to the settings we were given, and keep credentials for the
  // real endpoint, so the environment passed to resolvePath decides.
  storage.baseUrl = `${endpoint ?? GCS_ENDPOINT}/storage/v1`;
  storage.apiEndpoint = endpoint ?? GCS_ENDPOINT;
  // A read stream that ends early (an abort, a reader that stops) makes the SDK destroy its HTTP agent, and
  // by default that agent is one keep-alive pool shared by every request in the process, so requests in
  // flight elsewhere would fail. Without `forever`, requests use Node's global agent, which it never destroys.
  storage.interceptors.push({
    request: (options) => Object.assign(options, { forever: false }) as RequestOptions,
  });
  return storage;
}
