/** Bounded memory for large writes: the reader never holds more than one segment (plus one chunk). */
import { describe, expect, it } from 'vitest';
import { SegmentReader } from '../src/segment-reader.js';

describe('SegmentReader', () => {
  it('cuts a stream into full segments and a short last one, pulling at most one chunk ahead', async () => {
    const chunk = 300;
    const total = 10 * chunk + 17;
    let pulled = 0;
    async function* body() {
      for (let sent = 0; sent < total; sent += chunk) {
        const n = Math.min(chunk, total - sent);
        pulled += n;
        yield Uint8Array.from({ length: n }, (_, i) => (sent + i) & 0xff);
      }
    }
    const size = 1000;
    const reader = new SegmentReader(body(), size);
    const sizes: number[] = [];
    let consumed = 0;
    const joined: number[] = [];
    for (;;) {
      const s = await reader.next();
      consumed += s.bytes.byteLength;
      expect(pulled - consumed).toBeLessThanOrEqual(chunk);
      sizes.push(s.bytes.byteLength);
      joined.push(...s.bytes);
      if (s.last) break;
    }
    expect(sizes).toEqual([1000, 1000, 1000, 17]);
    expect(joined).toEqual(Array.from({ length: total }, (_, i) => i & 0xff));
  });

  it('a stream of exactly one segment is one last segment; an empty one is one empty last segment', async () => {
    async function* exact() {
      yield new Uint8Array(600);
      yield new Uint8Array(400);
    }
    const one = await new SegmentReader(exact(), 1000).next();
    expect([one.bytes.byteLength, one.last]).toEqual([1000, true]);
    async function* nothing() {}
    const none = await new SegmentReader(nothing(), 1000).next();
    expect([none.bytes.byteLength, none.last]).toEqual([0, true]);
  });

  it('cuts bytes without copying', async () => {
    const bytes = new Uint8Array(2500);
    const reader = new SegmentReader(bytes, 1000);
    const first = await reader.next();
    expect(first.bytes.buffer).toBe(bytes.buffer);
    expect(first.last).toBe(false);
    await reader.next();
    const last = await reader.next();
    expect([last.bytes.byteLength, last.last]).toEqual([500, true]);
  });
});
