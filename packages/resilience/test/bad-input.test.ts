/**
 * Bad input never crashes, hangs, or writes outside where it names: generated keys and URLs (malformed,
 * huge, control characters, path traversal) give a typed error or a clean path. Keys are joined under a
 * file:// store and written through, so a traversal that got past the validation would land next to a
 * known file (or replace it) and be seen; URLs give a path whose key is clean and whose URL gives it back.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isStatestoreError, resolvePath, type VfsPath } from '@statestore/core';

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

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function expectCleanKey(p: VfsPath): void {
  if (p.key === '') return; // the root of a bucket or store
  for (const s of p.key.split('/')) {
    expect(['', '.', '..']).not.toContain(s);
    expect(s.includes('\0')).toBe(false);
  }
}

function expectTypedInvalid(e: unknown, codes: string[]): void {
  expect(isStatestoreError(e), String(e)).toBe(true);
  expect(codes).toContain((e as { code: string }).code);
}

/** Every file below `dir` (relative path → content); `dir` itself when it is a file. */
function filesBelow(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  let st;
  try {
    st = statSync(dir);
  } catch {
    return out;
  }
  if (st.isFile()) return { '': readFileSync(dir, 'utf8') };
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name);
    if (statSync(file).isFile()) out[name] = readFileSync(file, 'utf8');
  }
  return out;
}

describe('bad input', () => {
  it(`${RUNS} generated keys joined and written under a file:// store: a typed error, or one file where the key says, and nothing beside`, async () => {
    const store = mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    dirs.push(store);
    // Known files around the folder the keys are joined under: a write that climbs out lands among them.
    mkdirSync(path.join(store, 'inside'));
    writeFileSync(path.join(store, 'known.yaml'), 'known: outside\n');
    writeFileSync(path.join(store, 'inside', 'known.yaml'), 'known: inside\n');
    const before = filesBelow(store);
    const root = await resolvePath(`file://${store}/inside`);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(keyParts, async (parts) => {
        const runDir = `run-${run++}`;
        const marker = `${runDir}\n`;
        let written: VfsPath | undefined;
        try {
          written = root.join(runDir, ...parts);
          expectCleanKey(written);
          await written.writeFile(marker);
        } catch (e) {
          expectTypedInvalid(e, ['InvalidUrl']);
          written = undefined;
        }
        // Exactly the one file written, below this run's folder, at the key's place; the known files as they were.
        const landed = filesBelow(path.join(store, 'inside', runDir));
        if (written === undefined) expect(landed).toEqual({});
        else expect(landed).toEqual({ [written.relativeTo(root.join(runDir)) ?? '']: marker });
        expect(readFileSync(path.join(store, 'known.yaml'), 'utf8')).toBe(before['known.yaml']);
        expect(readFileSync(path.join(store, 'inside', 'known.yaml'), 'utf8')).toBe(before['inside/known.yaml']);
      }),
      { numRuns: RUNS },
    );
    // Nothing landed anywhere else in the store.
    const outsideRuns = Object.keys(filesBelow(store)).filter((f) => !/^inside\/run-\d+(\/|$)/.test(f));
    expect(outsideRuns.sort()).toEqual(Object.keys(before).sort());
  });

  it(`${RUNS} generated URLs: resolvePath gives a typed error, or a path with a clean key that its own URL opens again`, async () => {
    await fc.assert(
      fc.asyncProperty(urlish, async (url) => {
        // Local paths would be real folders: point them at a throwaway place, and only resolve.
        const safe = /^file:\/\//i.test(url) || !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) ? `/tmp/statestore-badinput-${randomUUID()}/${url.slice(0, 50)}` : url;
        let p: VfsPath;
        try {
          p = await resolvePath(safe, { env: {} });
        } catch (e) {
          expectTypedInvalid(e, ['InvalidUrl', 'BackendNotInstalled', 'InvalidConfig', 'Unsupported']);
          return;
        }
        expectCleanKey(p);
        expect((await resolvePath(p.toString(), { env: {} })).key).toBe(p.key);
      }),
      { numRuns: RUNS },
    );
  });
});
