/**
 * Bad YAML never crashes, hangs or half-writes: generated documents (malformed, huge, deeply nested,
 * alias bombs, control characters, wrong types, path-like names) parse to a typed error or a document
 * whose validation reports errors; through `statestore replace -f` a bad input exits 1 or 2 with a message
 * and leaves the store byte-for-byte as it was.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStatestoreError } from '@statestore/core';
import { KopsYamlDocument, validateCluster, type KopsCluster } from '@statestore/core/config';
import { runCli } from './support/cli.js';

const control = fc.constantFrom('\u0000', '\u0007', '\u001b[31m', '\t', '\r', '\u2028', '\ufeff', '\\', '"', "'", ':', '- ', '&a', '*a', '!!binary', '{', '[', '%YAML 9', '---', '...');
const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), control, fc.constantFrom('../../etc/passwd', 'a/../../b', '/abs/path', 'x\u0000y'));
const nested = (depth: number) => `${Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} deep\n`;
const clusterWith = (name: unknown, spec: unknown) =>
  `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${JSON.stringify(name)}\nspec: ${JSON.stringify(spec)}\n`;
const yamlDoc = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), control), { maxLength: 40 }).map((parts) => parts.join('')),
  fc.integer({ min: 1, max: 3000 }).map(nested),
  fc.integer({ min: 1, max: 2000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.constant(`a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\n`),
  fc.integer({ min: 1, max: 4 }).map((mb) => `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: huge.k8s.local\nspec:\n  x: "${'y'.repeat(mb * 1024 * 1024)}"\n`),
  fc.tuple(scalar, fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 6 })).map(([n, s]) => clusterWith(n, s)),
);

describe('bad YAML', () => {
  it('600 generated documents: a typed error or a document whose validation reports problems, never a crash', () => {
    fc.assert(
      fc.property(yamlDoc, (text) => {
        let doc: KopsYamlDocument;
        try {
          doc = KopsYamlDocument.parse(text, 'generated.yaml');
        } catch (e) {
          expect(isStatestoreError(e), String(e)).toBe(true);
          expect((e as Error).message).toContain('generated.yaml');
          return;
        }
        try {
          const problems = validateCluster(doc.toJS() as unknown as KopsCluster);
          expect(Array.isArray(problems)).toBe(true);
        } catch (e) {
          expect(isStatestoreError(e), String(e)).toBe(true);
        }
      }),
      { numRuns: 600 },
    );
  });

  it('40 generated bad files through `statestore replace -f`: exit 1 or 2, a message, and the store unchanged', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-yaml-'));
    const state = ['--state', `file://${dir}/store`];
    const env = { ...process.env };
    expect((await runCli(['create', 'cluster', 'good.k8s.local', '--zones', 'us-east-1a', '--cloud', 'aws', ...state], env)).code).toBe(0);
    const before = snapshot(path.join(dir, 'store'));
    const good = (await runCli(['get', 'cluster', 'good.k8s.local', '-o', 'yaml', ...state], env)).stdout;
    const samples = fc.sample(yamlDoc, { numRuns: 40, seed: 20261123 });
    let i = 0;
    for (const bad of samples) {
      const file = path.join(dir, `bad-${i++}.yaml`);
      // A valid first document followed by the generated one: the valid one must not be written either.
      writeFileSync(file, `${good.replace('kubernetesVersion:', 'kubernetesVersion: 9.9.9\n  x-was:')}---\n${bad}`);
      const r = await runCli(['replace', '-f', file, ...state], env, 60_000);
      if (r.code === 0) continue; // the generated document happened to be a valid object of ours
      expect([1, 2], `${r.code}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr.length).toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
      expect(snapshot(path.join(dir, 'store'))).toEqual(before);
    }
  });
});

function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}
