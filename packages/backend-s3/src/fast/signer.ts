/**
 * Request signing for the fast path: the AWS SDK's own SigV4 signer (@smithy/signature-v4), one per
 * signing region, with credentials from the SDK client's provider chain (static keys, profiles, SSO, web
 * identity, container and instance roles; refreshed by the SDK as they expire). Hashes with node:crypto.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';

/** The data the signer hashes (@smithy/types' SourceData). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

/** The SHA-256 of an empty payload, sent with every request without a body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The hash constructor @smithy/signature-v4 expects, on node:crypto (HMAC when given a secret). */
class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** A correction smaller than this (ms) would not have made the request acceptable: S3 allows 15 minutes. */
const CLOCK_CORRECTION_MS = 60_000;

/** What is signed: S3's request shape without a body (the payload's hash is in x-amz-content-sha256). */
export interface UnsignedRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** Signs S3 requests with the credentials of `sdkClient`. */
export class RequestSigner {
  readonly #signers = new Map<string, SignatureV4>();
  readonly #credentials: S3Client['config']['credentials'];
  /** The SDK client's configuration: its `systemClockOffset` (how far the server's clock is ahead of ours) is shared by both clients. */
  readonly #clock: { systemClockOffset?: number };

  constructor(sdkClient: S3Client) {
    this.#credentials = sdkClient.config.credentials;
    this.#clock = sdkClient.config as { systemClockOffset?: number };
  }

  /**
   * After an answer that says our clock is off (RequestTimeTooSkewed), sign with the server's time (its Date
   * header) from now on, as the SDK does. True when that changed the offset, so a retry can succeed.
   */
  correctClock(serverDate: string | undefined): boolean {
    const server = serverDate ? Date.parse(serverDate) : Number.NaN;
    if (!Number.isFinite(server)) return false;
    const offset = server - Date.now();
    const before = this.#clock.systemClockOffset ?? 0;
    this.#clock.systemClockOffset = offset;
    return Math.abs(offset - before) >= CLOCK_CORRECTION_MS;
  }

  /** The request's headers with x-amz-date, the session token (if any) and Authorization added. */
  async sign(request: UnsignedRequest, region: string): Promise<Record<string, string>> {
    let signer = this.#signers.get(region);
    if (!signer) {
      signer = new SignatureV4({ service: 's3', region, credentials: () => this.#credentials({}), sha256: NodeSha256, uriEscapePath: false });
      this.#signers.set(region, signer);
    }
    const signed = await signer.sign(
      { ...request, ...(request.port === undefined ? {} : { port: request.port }) },
      { signingDate: new Date(Date.now() + (this.#clock.systemClockOffset ?? 0)) },
    );
    return signed.headers;
  }
}

/** The hex SHA-256 of a request body (signed as x-amz-content-sha256, which S3 verifies). */
export function payloadSha256(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}
