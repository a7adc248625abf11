/**
 * The fast path's one entry point (STATESTORE_S3_CLIENT=fast): the SDK client wrapped so that the hot
 * operations go out on undici (see fast-client.ts). undici and the signer are loaded with the SDK, on
 * first use, never when a program only opens a store.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { HttpSettings } from '@statestore/core/driver-kit';
import { loadSdk } from '../sdk.js';
import { createDispatcher } from './dispatcher.js';
import { FastS3Client, asS3Client } from './fast-client.js';

/** `sdkClient` behind the fast path, with a keep-alive pool built from `http`. */
export async function fastClient(sdkClient: S3Client, http: HttpSettings): Promise<S3Client> {
  return asS3Client(new FastS3Client(sdkClient, await loadSdk(), createDispatcher(http)));
}
