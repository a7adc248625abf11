/**
 * Writing a stream with bounded memory: the stream is read one part at a time (at most `partSize` bytes plus
 * one incoming chunk are held). A stream that ends within the first part is one PutObject; a longer one is a
 * multipart upload whose parts go up one after another (each with its Content-MD5, which OSS checks), aborted
 * if anything fails. `x-oss-forbid-overwrite` is
 * sent on both the initiation and the completion, so an existing object is refused before any upload and
 * a concurrent creator that finished first wins at completion.
 */
import { createHash } from 'node:crypto';
import type { AliOssClient, AliRequestOptions } from './client.js';

export interface StreamUpload {
  client: AliOssClient;
  key: string;
  body: AsyncIterable<Uint8Array>;
  partSize: number;
  /** Headers of the object (ACL, forbid-overwrite) and its user metadata and type. */
  request: AliRequestOptions;
  signal?: AbortSignal;
}

/** What was written: `single` when one PutObject sufficed (its ETag is the content MD5). */
export interface UploadResult {
  size: number;
  etag?: string;
  single: boolean;
}

export async function uploadStream({ client, key, body, partSize, request, signal }: StreamUpload): Promise<UploadResult> {
  const reader = new PartReader(body, partSize);
  const first = await reader.next();
  signal?.throwIfAborted();
  if (reader.done) {
    const { res } = await client.put(key, first, request);
    return { size: first.byteLength, single: true, ...etagOf(res.headers.etag) };
  }
  const { headers = {}, meta, mime } = request;
  const { uploadId } = await client.initMultipartUpload(key, { headers, ...(meta ? { meta } : {}), ...(mime ? { mime } : {}) });
  try {
    const parts: { number: number; etag: string }[] = [];
    let size = 0;
    for (let part = first, number = 1; ; number++) {
      signal?.throwIfAborted();
      const contentMd5 = createHash('md5').update(part).digest('base64');
      const { etag } = await client.uploadPart(key, uploadId, number, part, 0, part.byteLength, { headers: { 'Content-MD5': contentMd5 } });
      parts.push({ number, etag });
      size += part.byteLength;
      if (reader.done) break;
      part = await reader.next();
    }
    const forbid = headers['x-oss-forbid-overwrite'];
    await client.completeMultipartUpload(key, uploadId, parts, forbid ? { headers: { 'x-oss-forbid-overwrite': forbid } } : {});
    return { size, single: false };
  } catch (e) {
    await client.abortMultipartUpload(key, uploadId).catch(() => undefined);
    throw e;
  }
}

function etagOf(value: string | string[] | undefined): { etag?: string } {
  const etag = Array.isArray(value) ? value[0] : value;
  return etag ? { etag } : {};
}

/** Cuts a byte stream into parts of exactly `size` bytes (the last one shorter). */
class PartReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private carry: Buffer = Buffer.alloc(0);
  /** True once the stream has ended and everything was handed out. */
  done = false;
  private ended = false;

  constructor(
    body: AsyncIterable<Uint8Array>,
    private readonly size: number,
  ) {
    this.iterator = body[Symbol.asyncIterator]();
  }

  async next(): Promise<Buffer> {
    const chunks: Buffer[] = this.carry.byteLength > 0 ? [this.carry] : [];
    let length = this.carry.byteLength;
    while (length < this.size && !this.ended) {
      const { value, done } = await this.iterator.next();
      if (done) {
        this.ended = true;
        break;
      }
      // Copied: a producer may reuse its buffer once we ask for the next chunk.
      const chunk = Buffer.from(value);
      chunks.push(chunk);
      length += chunk.byteLength;
    }
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
    const part = all.subarray(0, this.size);
    this.carry = Buffer.from(all.subarray(this.size));
    // Done when the stream ended and nothing is left over; a stream that ends exactly on a part boundary
    // is noticed by peeking one more chunk.
    if (this.ended && this.carry.byteLength === 0) this.done = true;
    else if (this.carry.byteLength === 0 && part.byteLength === this.size) {
      const peek = await this.iterator.next();
      if (peek.done) {
        this.ended = true;
        this.done = true;
      } else {
        this.carry = Buffer.from(peek.value);
      }
    }
    return part;
  }
}
