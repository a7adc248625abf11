/**
 * Writing one blob from bytes or a stream, with Azure's own preconditions: a body that fits in one block
 * is one Put Blob; a larger one is staged block by block (never held whole in memory) and committed with
 * Put Block List. The preconditions (If-None-Match: *, If-Match: <etag>) ride on the request that makes
 * the blob visible, so the service decides the race atomically. The MD5 of the whole body is computed on
 * the way and stored as the blob's Content-MD5, which stat and listings report.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { BlockBlobClient } from '@azure/storage-blob';
import type { WriteBody } from '@statestore/core';

/** Bodies up to this size go in one request; larger ones in blocks of this size. */
export const BLOCK_SIZE = 8 * 1024 * 1024;

export interface UploadOptions {
  ifNoneMatch?: '*';
  ifMatch?: string;
  contentType?: string;
  /** Blob metadata (names already valid for Azure). */
  metadata?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Runs the first request (the one that would meet a missing container) and may repeat it once; the
   * driver uses it to create the container on demand, as kops does.
   */
  firstRequest<T>(request: () => Promise<T>): Promise<T>;
}

export interface UploadResult {
  etag: string;
  size: number;
  md5: Uint8Array;
  lastModified?: Date;
}

export async function uploadBlob(blob: BlockBlobClient, body: WriteBody, options: UploadOptions): Promise<UploadResult> {
  const md5 = createHash('md5');
  const blocks = blocksOf(body)[Symbol.asyncIterator]();
  const first = await blocks.next();
  const firstBlock = first.done ? new Uint8Array(0) : first.value;
  md5.update(firstBlock);
  const second = first.done ? first : await blocks.next();
  const conditions = { ...(options.ifNoneMatch ? { ifNoneMatch: '*' } : {}), ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}) };
  const headers = options.contentType ? { blobContentType: options.contentType } : {};

  if (second.done) {
    const digest = md5.digest();
    const response = await options.firstRequest(() =>
      blob.upload(firstBlock, firstBlock.byteLength, {
        conditions,
        blobHTTPHeaders: { ...headers, blobContentMD5: digest },
        ...(options.metadata ? { metadata: options.metadata } : {}),
        transactionalContentMD5: digest,
        abortSignal: options.signal,
      }),
    );
    return { etag: response.etag!, size: firstBlock.byteLength, md5: digest, ...(response.lastModified ? { lastModified: response.lastModified } : {}) };
  }

  // Block ids must all have the same length within one blob; a random prefix keeps concurrent writers apart.
  const prefix = randomUUID();
  const ids: string[] = [];
  let size = 0;
  const stage = async (block: Uint8Array) => {
    const id = Buffer.from(`${prefix}-${String(ids.length).padStart(6, '0')}`).toString('base64');
    const request = () => blob.stageBlock(id, block, block.byteLength, { transactionalContentMD5: createHash('md5').update(block).digest(), abortSignal: options.signal });
    await (ids.length === 0 ? options.firstRequest(request) : request());
    ids.push(id);
    size += block.byteLength;
  };
  await stage(firstBlock);
  md5.update(second.value);
  await stage(second.value);
  for (let next = await blocks.next(); !next.done; next = await blocks.next()) {
    md5.update(next.value);
    await stage(next.value);
  }
  const digest = md5.digest();
  const response = await blob.commitBlockList(ids, {
    conditions,
    blobHTTPHeaders: { ...headers, blobContentMD5: digest },
    ...(options.metadata ? { metadata: options.metadata } : {}),
    abortSignal: options.signal,
  });
  return { etag: response.etag!, size, md5: digest, ...(response.lastModified ? { lastModified: response.lastModified } : {}) };
}

/** The body cut into blocks of BLOCK_SIZE (the last may be shorter; an empty body gives none). */
async function* blocksOf(body: WriteBody): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    for (let offset = 0; offset < body.byteLength; offset += BLOCK_SIZE) yield body.subarray(offset, offset + BLOCK_SIZE);
    return;
  }
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of body) {
    let rest = chunk;
    while (pendingBytes + rest.byteLength >= BLOCK_SIZE) {
      const take = BLOCK_SIZE - pendingBytes;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.byteLength > 0) {
      pending.push(rest.slice());
      pendingBytes += rest.byteLength;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}
