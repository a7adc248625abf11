/**
 * Writing a stream of any size to S3 in bounded memory: a multipart upload whose parts are filled by copying
 * the source's chunks into a fixed set of part buffers (at most `queueSize + 1`, allocated as first needed
 * and reused for the whole upload), `queueSize` parts in flight. Nothing is concatenated and no part is
 * allocated twice, so the memory an upload uses is those buffers, not garbage waiting for a collection. A
 * stream that fits in one part is one PutObject. CompleteMultipartUpload carries the write's conditions
 * (If-None-Match); on any failure — a part, the source, an abort — the parts in flight finish, the upload
 * is aborted, and only then the write rejects, so nothing is left behind. Never retried here.
 */
import type {
  CompleteMultipartUploadCommandOutput,
  CompletedPart,
  PutObjectCommandInput,
  PutObjectCommandOutput,
  S3Client,
  UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { UnsupportedError } from '@statestore/core';
import type { S3Sdk } from './sdk.js';

/** S3 accepts at most this many parts in one upload. */
const MAX_PARTS = 10_000;

export interface MultipartSettings {
  partSize: number;
  queueSize: number;
}

/** What the write's info is made from: the PutObject or the CompleteMultipartUpload answer. */
export type UploadOutput = Pick<PutObjectCommandOutput & CompleteMultipartUploadCommandOutput, 'ETag' | 'ServerSideEncryption' | 'SSECustomerAlgorithm' | 'VersionId'>;

/** Uploads `body` as the object `params` names (Bucket, Key, and every write parameter except Body). */
export async function uploadStream(client: S3Client, sdk: S3Sdk, params: PutObjectCommandInput, body: AsyncIterable<Uint8Array>, settings: MultipartSettings): Promise<UploadOutput> {
  const { partSize, queueSize } = settings;
  const free: Buffer[] = [];
  let created = 0;
  const inFlight = new Set<Promise<void>>();
  const parts: CompletedPart[] = [];
  let failure: { error: unknown } | undefined;
  let uploadId: string | undefined;
  let partNumber = 0;

  /** A part buffer: a free one, a new one while fewer than queueSize + 1 exist, else the next to come back. */
  const takeBuffer = async (): Promise<Buffer | undefined> => {
    for (;;) {
      const buffer = free.pop();
      if (buffer) return buffer;
      if (created <= queueSize) {
        created++;
        return Buffer.allocUnsafe(partSize);
      }
      await Promise.race(inFlight);
      if (failure) return undefined;
    }
  };
  const send = (buffer: Buffer, length: number): void => {
    partNumber++;
    if (partNumber > MAX_PARTS) {
      throw new UnsupportedError(`${params.Key} is larger than ${MAX_PARTS} parts of ${partSize} bytes, the most S3 accepts; raise the multipartPartSize plugin option`);
    }
    const PartNumber = partNumber;
    const sent: Promise<void> = client
      .send(new sdk.UploadPartCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: uploadId, PartNumber, Body: buffer.subarray(0, length), ...customerKey(params) }))
      .then((out: UploadPartCommandOutput) => {
        parts.push({ PartNumber, ETag: out.ETag, ...checksumsOf(out) });
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        inFlight.delete(sent);
        free.push(buffer);
      });
    inFlight.add(sent);
  };

  let current = (await takeBuffer())!;
  let filled = 0;
  try {
    for await (const chunk of body) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        if (filled === partSize) {
          // A full part and more to come: this is a multipart upload.
          uploadId ??= await createUpload(client, sdk, params);
          send(current, filled);
          const next = await takeBuffer();
          if (!next) throw (failure as { error: unknown }).error;
          current = next;
          filled = 0;
        }
        const n = Math.min(partSize - filled, chunk.byteLength - offset);
        current.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
      }
      if (failure) throw failure.error;
    }
    if (uploadId === undefined) {
      return await client.send(new sdk.PutObjectCommand({ ...params, Body: current.subarray(0, filled), ContentLength: filled }));
    }
    if (filled > 0) send(current, filled);
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    const { Body: _body, ContentLength: _length, ContentMD5: _md5, ...completion } = params;
    return await client.send(new sdk.CompleteMultipartUploadCommand({ ...completion, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    await Promise.allSettled(inFlight);
    if (uploadId !== undefined) await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: uploadId })).catch(() => undefined);
    throw error;
  }
}

/** Starts the upload with the write's parameters; CRC32 part checksums where the client sends checksums (as lib-storage did). */
async function createUpload(client: S3Client, sdk: S3Sdk, params: PutObjectCommandInput): Promise<string> {
  const { Body: _body, ContentLength: _length, ContentMD5: _md5, IfNoneMatch: _ifNoneMatch, IfMatch: _ifMatch, ...create } = params;
  const checksums = (await client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED';
  const out = await client.send(new sdk.CreateMultipartUploadCommand({ ...create, ...(checksums ? { ChecksumAlgorithm: params.ChecksumAlgorithm ?? 'CRC32' } : {}) }));
  if (!out.UploadId) throw new Error(`CreateMultipartUpload for ${params.Key} returned no UploadId`);
  return out.UploadId;
}

/** SSE-C parameters, which every part repeats. */
function customerKey(params: PutObjectCommandInput): Partial<PutObjectCommandInput> {
  const { SSECustomerAlgorithm, SSECustomerKey, SSECustomerKeyMD5 } = params;
  return { ...(SSECustomerAlgorithm ? { SSECustomerAlgorithm } : {}), ...(SSECustomerKey ? { SSECustomerKey } : {}), ...(SSECustomerKeyMD5 ? { SSECustomerKeyMD5 } : {}) };
}

/** The part's checksums, which CompleteMultipartUpload repeats. */
function checksumsOf(out: UploadPartCommandOutput): Partial<CompletedPart> {
  const { ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1, ChecksumSHA256 } = out;
  return {
    ...(ChecksumCRC32 ? { ChecksumCRC32 } : {}),
    ...(ChecksumCRC32C ? { ChecksumCRC32C } : {}),
    ...(ChecksumCRC64NVME ? { ChecksumCRC64NVME } : {}),
    ...(ChecksumSHA1 ? { ChecksumSHA1 } : {}),
    ...(ChecksumSHA256 ? { ChecksumSHA256 } : {}),
  };
}
