/**
 * DecisionCache, the file that keeps what was decided about a server between runs: a decision holds for
 * its time-to-live and no longer (on an injected clock), entries are kept per key, and a corrupt or
 * unwritable file only means deciding again, never an error.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECISION_TTL_MS, DecisionCache } from '../src/decision-cache.js';

const folder = () => mkdtempSync(path.join(os.tmpdir(), 'statestore-decisions-'));

describe('DecisionCache', () => {
  it('keeps a decision per key until its time-to-live has passed', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const file = path.join(folder(), 'nested', 'facts.json');
    const cache = new DecisionCache(file, DECISION_TTL_MS, () => now);
    expect(cache.get('http://a b')).toBeUndefined();
    cache.set('http://a b', false);
    cache.set('http://a c', true);
    now += DECISION_TTL_MS - 1;
    expect(cache.get('http://a b')).toBe(false);
    expect(cache.get('http://a c')).toBe(true);
    now += 1;
    expect(cache.get('http://a b')).toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))['http://a b']).toEqual({ value: false, decidedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('forgets one key and keeps the others', () => {
    const cache = DecisionCache.in(folder(), 'facts.json');
    cache.set('x', true);
    cache.set('y', true);
    cache.delete('x');
    expect([cache.get('x'), cache.get('y')]).toEqual([undefined, true]);
  });

  it('a corrupt file reads as empty and is replaced on the next decision', () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'facts.json'), '{ not json');
    const cache = DecisionCache.in(dir, 'facts.json');
    expect(cache.get('x')).toBeUndefined();
    cache.set('x', true);
    expect(cache.get('x')).toBe(true);
  });

  it('a folder it cannot write to is no error (the decision then lasts for this process only)', () => {
    const dir = path.join(folder(), 'read-only');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    const cache = DecisionCache.in(dir, 'facts.json');
    expect(() => cache.set('x', true)).not.toThrow();
    chmodSync(dir, 0o700);
  });
});
