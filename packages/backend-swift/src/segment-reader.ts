/**
 * Cutting a body into segments of a fixed size, holding at most one segment in memory: the bounded-memory
 * half of writing static large objects. Byte bodies are cut without copying.
 */
import type { WriteBody } from '@statestore/core';

export interface Segment {
  bytes: Uint8Array;
  /** True when nothing follows this segment. */
  last: boolean;
}

export class SegmentReader {
  private readonly bytes: Uint8Array | undefined;
  private offset = 0;
  private readonly iterator: AsyncIterator<Uint8Array> | undefined;
  private leftover: Uint8Array | undefined;
  private ended = false;

  constructor(
    body: WriteBody,
    private readonly size: number,
  ) {
    if (body instanceof Uint8Array) this.bytes = body;
    else this.iterator = body[Symbol.asyncIterator]();
  }

  /** The next segment: exactly `size` bytes unless it is the last one. */
  async next(): Promise<Segment> {
    if (this.bytes) {
      const bytes = this.bytes.subarray(this.offset, this.offset + this.size);
      this.offset += bytes.byteLength;
      return { bytes, last: this.offset >= this.bytes.byteLength };
    }
    const parts: Uint8Array[] = [];
    let filled = 0;
    while (filled < this.size) {
      const chunk = this.leftover ?? (await this.pull());
      this.leftover = undefined;
      if (!chunk) break;
      const take = Math.min(chunk.byteLength, this.size - filled);
      parts.push(take === chunk.byteLength ? chunk : chunk.subarray(0, take));
      filled += take;
      if (take < chunk.byteLength) this.leftover = chunk.subarray(take);
    }
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, filled);
    // A full segment is the last one only if the stream has nothing more: look ahead by one chunk.
    if (!this.leftover && !this.ended) this.leftover = await this.pull();
    return { bytes, last: !this.leftover };
  }

  private async pull(): Promise<Uint8Array | undefined> {
    if (this.ended) return undefined;
    for (;;) {
      const r = await this.iterator!.next();
      if (r.done) {
        this.ended = true;
        return undefined;
      }
      const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      if (chunk.byteLength > 0) return chunk;
    }
  }
}
