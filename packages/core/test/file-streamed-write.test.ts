/**
 * file:// writes a streamed body in batches (one writev per MiB, not a write per chunk): the file holds
 * every byte in order, across batch boundaries and with a short last batch.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePath } from '../src/index.js';

describe('file:// streamed writes', () => {
  it('keeps every byte in order across batches of chunks', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'file-streamed-'));
    const chunks = Array.from({ length: 57 }, (_, i) => new Uint8Array(64 * 1024 + (i % 3)).fill(i)); // ~3.6 MiB
    const expected = createHash('sha256');
    for (const c of chunks) expected.update(c);
    async function* body(): AsyncGenerator<Uint8Array> {
      yield* chunks;
    }
    const file = (await resolvePath(dir)).join('streamed.bin');
    const written = await file.writeFile(body());
    expect(written.size).toBe(chunks.reduce((n, c) => n + c.byteLength, 0));
    expect(createHash('sha256').update(await file.readFile()).digest('hex')).toBe(expected.digest('hex'));
  });
});
