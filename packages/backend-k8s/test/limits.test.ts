/**
 * What a Secret cannot hold is refused before any request: files over 1 MiB (bytes, announced sizes and
 * streams that grow past it) with UnsupportedError, keys too long for a Secret name with InvalidUrlError. The
 * proof that nothing is sent: the same calls against a kubeconfig whose server does not exist give the
 * refusal, not a connection error. At the limits themselves, the real server stores both.
 */
import { isInvalidUrl, isTransient, isUnsupported } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, MAX_KEY_BYTES } from '../src/index.js';
import { newNamespace, openK8s, variantKubeconfig } from './helpers.js';

async function* stream(total: number, chunk = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += chunk) yield new Uint8Array(Math.min(chunk, total - sent)).fill(7);
}

describe('limits', () => {
  it('a file over 1 MiB is refused before any request, as bytes, with a size, or as a stream', async () => {
    const nowhere = await variantKubeconfig();
    const backend = (await openK8s('k8s://limits/', { env: { KUBECONFIG: nowhere } })).backend;
    // The server is unreachable: a request would be a Transient error.
    expect(isTransient(await backend.stat('f').catch((e: unknown) => e))).toBe(true);
    const attempts = [
      backend.write('f', new Uint8Array(MAX_FILE_BYTES + 1)),
      backend.write('f', stream(MAX_FILE_BYTES + 1), { size: MAX_FILE_BYTES + 1 }),
      backend.write('f', stream(MAX_FILE_BYTES + 1)),
      backend.write('f', new Uint8Array(MAX_FILE_BYTES + 1), { ifNoneMatch: '*' }),
    ];
    for (const attempt of attempts) {
      const e = await attempt.catch((error: unknown) => error);
      expect(isUnsupported(e), String(e)).toBe(true);
      expect((e as Error).message).toMatch(/k8s:\/\/limits\/f: .* is more than a Kubernetes Secret holds \(1 MiB, 1048576 bytes\); nothing was written/);
    }
  });

  it(`a key over ${MAX_KEY_BYTES} bytes is InvalidUrl before any request, for every operation`, async () => {
    const nowhere = await variantKubeconfig();
    const backend = (await openK8s('k8s://limits/', { env: { KUBECONFIG: nowhere } })).backend;
    const long = `${'c'.repeat(60)}/${'é'.repeat(46)}`; // 61 + 92 = 153 bytes
    for (const attempt of [backend.stat(long), backend.read(long), backend.write(long, new Uint8Array(1)), backend.delete(long)]) {
      const e = await attempt.catch((error: unknown) => error);
      expect(isInvalidUrl(e), String(e)).toBe(true);
      // Refused by core's correctness layer, from capabilities.maxKeyBytes.
      expect((e as Error).message).toMatch(/under k8s:\/\/limits\/: it is 153 bytes long and this store keeps keys of at most 151 bytes; use a shorter path\. Nothing was sent/);
    }
  });

  it('at the limits: a 1 MiB file and a key of exactly 151 bytes are stored and read back', async () => {
    const namespace = await newNamespace('limits');
    const key = `${'k'.repeat(50)}/${'ü'.repeat(50)}`;
    expect(Buffer.byteLength(key)).toBe(MAX_KEY_BYTES);
    const file = await openK8s(`k8s://${namespace}/${key}`);
    const bytes = new Uint8Array(MAX_FILE_BYTES).map((_, i) => i & 0xff);
    await file.createFile(bytes);
    expect(Buffer.compare(await file.readFile(), bytes)).toBe(0);
    expect((await file.parent()!.readDir()).map((e) => e.name)).toEqual(['ü'.repeat(50)]);
    const over = await file.writeFile(stream(MAX_FILE_BYTES + 1)).catch((e: unknown) => e);
    expect(isUnsupported(over)).toBe(true);
    expect(Buffer.compare(await file.readFile(), bytes)).toBe(0);
  });
});
