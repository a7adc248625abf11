/**
 * 32 operators at once: 32 `statestore set` processes, each setting a different field of one cluster, on
 * every backend that can hold cluster configuration. Each waits up to 160 s for the cluster's lease: the 32
 * run one after another, which takes 8–35 s on a quiet 2-core machine (swift:// the longest, through the
 * candidate protocol) but passed the default 60 s under a CI machine's full load. All 32 changes are kept: the cluster's lease serialises them, and each write is a compare-and-swap, or
 * runs under updateFile's lock (atomic create on OSS; the candidate protocol on swift://, which has neither).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { cliEnv, freshStoreUrl, type ConfigStore } from './support/stores.js';

const WRITERS = 32;
const NAME = 'race.k8s.local';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'concurrent-set-'));
let racesRun = 0;
afterAll(() => process.stderr.write(`[resilience] concurrent set races run: ${racesRun} (${WRITERS} processes each)\n`));

describe.each<ConfigStore>(['file', 's3', 'gs', 'oss', 'swift', 'k8s'])('%s: 32 concurrent `statestore set`', (store) => {
  it(`keeps all ${WRITERS} changes`, async () => {
    const env = cliEnv(store);
    const state = ['--state', await freshStoreUrl(store, tmp)];
    const created = await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...state], env);
    expect(created.code, created.stderr).toBe(0);
    const started = performance.now();
    const runs = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) => runCli(['set', 'cluster', NAME, `spec.cloudLabels=writer${i}=value${i}`, '--lock-timeout', '160s', ...state], env, 170_000)),
    );
    racesRun++;
    const took = Math.round((performance.now() - started) / 1000);
    process.stderr.write(`[resilience] ${store}: ${WRITERS} concurrent set in ${took} s\n`);
    const after = await runCli(['get', 'cluster', NAME, '-o', 'json', ...state], env);
    const labels = (JSON.parse(after.stdout) as { spec: { cloudLabels?: Record<string, string> } }).spec.cloudLabels ?? {};
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(labels).sort()).toEqual(Array.from({ length: WRITERS }, (_, i) => `writer${i}`).sort());
    for (let i = 0; i < WRITERS; i++) expect(labels[`writer${i}`]).toBe(`value${i}`);
  });
});
