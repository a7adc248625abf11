/**
 * Secret names keep key order: for any two keys, their names compare as the keys' UTF-8 bytes do (the order
 * object stores list in), so the API server's name-ordered listings are key-ordered. Names are valid
 * Kubernetes names up to the longest key allowed, and folder labels are valid label keys.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, SECRET_NAME_PREFIX, folderLabel, labelsFor, secretNameFor, selectorFor } from '../src/names.js';

const byteOrder = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
const nameOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('Secret names', () => {
  it('compare as the keys compare (UTF-8 byte order), for any two keys', () => {
    const key = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(nameOrder(secretNameFor(a), secretNameFor(b))).toBe(byteOrder(a, b));
      }),
      { numRuns: 5_000 },
    );
  });

  it('keep order where keys share long prefixes or differ only in length', () => {
    const keys = ['a', 'a/', 'a/b', 'a\u0000', 'a0', 'ab', 'cluster/config', 'cluster/config2', 'cluster/configs/x', 'ключ', '鍵', '\u{1F600}', '\uFFFF'];
    const byKey = [...keys].sort(byteOrder);
    const byName = [...keys].sort((a, b) => nameOrder(secretNameFor(a), secretNameFor(b)));
    expect(byName).toEqual(byKey);
  });

  it(`are valid names of at most 253 characters for keys up to ${MAX_KEY_BYTES} bytes`, () => {
    expect(MAX_KEY_BYTES).toBe(151);
    const longest = secretNameFor('k'.repeat(MAX_KEY_BYTES));
    expect(longest.length).toBe(253);
    expect(secretNameFor('é'.repeat(75) + 'x').length).toBeLessThanOrEqual(253);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 37 }), (key) => {
        const name = secretNameFor(key);
        expect(name.startsWith(SECRET_NAME_PREFIX)).toBe(true);
        expect(name).toMatch(DNS_SUBDOMAIN);
      }),
    );
  });
});

describe('folder labels', () => {
  it('mark every folder above a key, and nothing for a top-level file', () => {
    expect(Object.keys(labelsFor('config'))).toEqual(['app.kubernetes.io/managed-by']);
    const labels = labelsFor('c.example.com/pki/issued/ca');
    expect(Object.keys(labels)).toEqual(['app.kubernetes.io/managed-by', folderLabel('c.example.com/'), folderLabel('c.example.com/pki/'), folderLabel('c.example.com/pki/issued/')]);
    for (const label of Object.keys(labels)) expect(label).toMatch(/^[a-z0-9.]+\/[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/);
  });

  it('select the folder (or the whole store for the root)', () => {
    expect(selectorFor('')).toBe('app.kubernetes.io/managed-by=statestore');
    expect(selectorFor('a/')).toBe(`app.kubernetes.io/managed-by=statestore,${folderLabel('a/')}`);
    expect(folderLabel('a/')).not.toBe(folderLabel('b/'));
  });
});
