import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findStateStore, locateStateStore } from '../../src/config/state-store-location.js';
import { isInvalidConfig } from '../../src/errors/errors.js';

function home(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'statestore-home-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('locateStateStore: kops priority', () => {
  const all = home({ '.kops.yaml': 'kops_state_store: s3://from-kops-yaml\n', '.kops/config': 'kops_state_store: s3://from-kops-config\n' });

  it('--state wins over everything', () => {
    expect(locateStateStore({ flag: 's3://from-flag', env: { KOPS_STATE_STORE: 's3://from-env' }, home: all })).toMatchObject({ url: 's3://from-flag', source: '--state' });
  });
  it('then KOPS_STATE_STORE', () => {
    expect(locateStateStore({ env: { KOPS_STATE_STORE: 's3://from-env' }, home: all })).toMatchObject({ url: 's3://from-env', source: 'KOPS_STATE_STORE' });
  });
  it('then $HOME/.kops.yaml', () => {
    expect(locateStateStore({ env: {}, home: all })).toMatchObject({ url: 's3://from-kops-yaml', source: 'config file', file: path.join(all, '.kops.yaml') });
  });
  it('then $HOME/.kops/config (read as YAML, key case-insensitive)', () => {
    const only = home({ '.kops/config': 'KOPS_STATE_STORE: gs://from-kops-config/\n' });
    expect(locateStateStore({ env: {}, home: only })).toMatchObject({ url: 'gs://from-kops-config', file: path.join(only, '.kops', 'config') });
  });
  it('reads only the first config file that exists, as kops does', () => {
    const first = home({ '.kops.yaml': 'other: 1\n', '.kops/config': 'kops_state_store: s3://ignored\n' });
    expect(() => locateStateStore({ env: {}, home: first })).toThrow(/No state store/);
  });
  it('trims exactly one trailing slash', () => {
    expect(locateStateStore({ flag: 's3://bucket/prefix//', env: {} }).url).toBe('s3://bucket/prefix/');
  });
  it('never trims a bare scheme into a local-looking path (s3://$UNSET stays s3://, for the URL parser to refuse)', () => {
    expect(locateStateStore({ flag: 's3://', env: {} }).url).toBe('s3://');
    expect(locateStateStore({ env: { KOPS_STATE_STORE: 'file://' } }).url).toBe('file://');
    expect(locateStateStore({ flag: 'file:///', env: {} }).url).toBe('file:///');
  });
  it('an explicit empty --state is an error even when the environment has one (viper semantics)', () => {
    expect(() => locateStateStore({ flag: '', env: { KOPS_STATE_STORE: 's3://x' } })).toThrow(/No state store/);
  });
  it('nothing set: the error names all four places', () => {
    try {
      locateStateStore({ env: {}, home: home() });
      expect.unreachable();
    } catch (e) {
      expect(isInvalidConfig(e)).toBe(true);
      const message = (e as Error).message;
      for (const place of ['--state', 'KOPS_STATE_STORE', '$HOME/.kops.yaml', '$HOME/.kops/config']) expect(message).toContain(place);
    }
  });
  it('a config file that cannot be parsed is an error naming the file and the parse error, never "no state store"', () => {
    const bad = home({ '.kops.yaml': 'kops_state_store: [unclosed\n' });
    const e = (() => {
      try {
        return locateStateStore({ env: {}, home: bad });
      } catch (x) {
        return x as Error;
      }
    })() as Error;
    expect(isInvalidConfig(e)).toBe(true);
    expect(e.message).toContain(`Cannot read the state store from ${path.join(bad, '.kops.yaml')} (fix the file`);
    expect(e.message).toMatch(/Flow sequence|unclosed|Missing/i);
    expect(e.message).not.toContain('No state store');
    // The file is not read when the flag or the variable names the store.
    expect(locateStateStore({ env: { KOPS_STATE_STORE: 's3://x' }, home: bad }).url).toBe('s3://x');
    const notText = home({ '.kops.yaml': 'kops_state_store:\n  bucket: x\n' });
    expect(() => locateStateStore({ env: {}, home: notText })).toThrow(/kops_state_store must be a URL/);
  });
  it('--config names a file that must exist; a missing one is an error naming it', () => {
    const missing = path.join(home(), 'nope.yaml');
    expect(() => locateStateStore({ env: {}, configFile: missing })).toThrow(`--config ${missing}: no such file`);
    const given = path.join(home({ 'mine.yaml': 'kops_state_store: gs://from-config-flag\n' }), 'mine.yaml');
    expect(locateStateStore({ env: {}, configFile: given })).toMatchObject({ url: 'gs://from-config-flag', file: given });
  });
  it('findStateStore: undefined when nothing names a store, instead of an error', () => {
    expect(findStateStore({ env: {}, home: home() })).toBeUndefined();
    expect(findStateStore({ flag: '', env: {} })).toBeUndefined();
  });
  it('refuses vault:// as the state store, wherever it comes from', () => {
    expect(() => locateStateStore({ flag: 'vault://127.0.0.1:8200/secret/kops', env: {} })).toThrow(/vault:\/\/ holds a cluster's secrets and keys only/);
    const h = home({ '.kops.yaml': 'kops_state_store: vault://vault.example/secret\n' });
    expect(() => locateStateStore({ env: {}, home: h })).toThrow(/cannot be the state store/);
  });
});
