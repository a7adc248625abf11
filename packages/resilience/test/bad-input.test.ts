/**
 * Bad input never crashes, hangs, or writes anything: generated URLs, keys and YAML documents (malformed,
 * huge, deeply nested, control characters, path traversal) give a typed error or a clean result.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStatestoreError, MemfsBackend, pathForBackend, resolvePath } from '@statestore/core';

const RUNS = 600;
const nasty = fc.constantFrom('..', '.', '', '/', '//', '%', '%2e%2e', '%00', '\0', '\u0001', '\u202e', '\n', ' ', '?', '#', '\\', '~', 'ä', '😀');
const segment = fc.oneof(fc.string({ maxLength: 12 }), nasty, fc.stringMatching(/^[a-z0-9._-]{1,8}$/));
const keyParts = fc.array(segment, { maxLength: 6 });
const scheme = fc.constantFrom('memfs', 'file', 's3', 'gs', 'swift', 'oss', 'vault', 'do', 'FILE', 'Memfs', 'bogus', '', '1x', 'a+b');
const urlish = fc.oneof(
  fc.tuple(scheme, fc.string({ maxLength: 10 }), keyParts).map(([s, host, parts]) => `${s}://${host}/${parts.join('/')}`),
  fc.string({ maxLength: 80 }),
  fc.string({ maxLength: 5_000, unit: 'binary' }),
);

describe('bad input', () => {
  it(`${RUNS} generated keys: join gives a typed error or a key with no traversal, and nothing is written`, () => {
    const backend = new MemfsBackend();
    const root = pathForBackend(backend, 'root');
    fc.assert(
      fc.property(keyParts, (parts) => {
        try {
          const p = root.join(...parts);
          const segments = p.key.split('/');
          expect(segments[0]).toBe('root');
          for (const s of segments) {
            expect(s).not.toBe('..');
            expect(s).not.toBe('.');
            expect(s).not.toBe('');
            expect(s.includes('\0')).toBe(false);
          }
        } catch (e) {
          expect(isStatestoreError(e)).toBe(true);
          expect((e as { code: string }).code).toBe('InvalidUrl');
        }
      }),
      { numRuns: RUNS },
    );
    expect(backend.size).toBe(0);
  });

  it(`${RUNS} generated URLs: resolvePath gives a VfsPath or a typed error, never a crash or a write`, async () => {
    const memfsBefore = (await (await resolvePath('memfs://')).readTree()).length;
    await fc.assert(
      fc.asyncProperty(urlish, async (url) => {
        // Local paths would be real folders: point them at a throwaway place, and only resolve.
        const safe = /^file:\/\//i.test(url) || !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) ? `/tmp/statestore-badinput-${randomUUID()}/${url.slice(0, 50)}` : url;
        try {
          const p = await resolvePath(safe, { env: {} });
          expect(typeof p.toString()).toBe('string');
        } catch (e) {
          expect(isStatestoreError(e), String(e)).toBe(true);
          expect(['InvalidUrl', 'BackendNotInstalled', 'InvalidConfig', 'Unsupported']).toContain((e as { code: string }).code);
        }
      }),
      { numRuns: RUNS },
    );
    expect((await (await resolvePath('memfs://')).readTree()).length).toBe(memfsBefore);
  });
});
