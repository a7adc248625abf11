/**
 * The limit of leases on Swift, shown honestly: Swift has neither compare-and-swap nor atomic create, so a
 * lease there is core's candidate protocol, which is safe only while container listings show a new object
 * within its settle delay (set to 250 ms here; 100 ms by default). Through testkit's listing delay proxy,
 * which hides new objects from listings for a set time, 8 `statestore lock run` processes each read a counter, sleep 50 ms and write
 * it plus one: hidden for less than the settle delay, the counter ends at 8; hidden far longer, increments
 * are lost. Between the two the outcome varies from run to run; packages/resilience/README.md has the figures.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startListingDelayProxy } from '@statestore/testkit/listing-delay-proxy';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from './support/cli.js';
import { cliEnv, freshStoreUrl } from './support/stores.js';

const SETTLE_MS = 250;
const PROCESSES = 8;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'listing-delay-'));
const figures: string[] = [];
afterAll(() => process.stderr.write(`[resilience] swift, listings delayed (settle delay ${SETTLE_MS} ms):\n${figures.join('\n')}\n`));

/** Runs the counter race through a proxy hiding new objects for `hideMs`; the final counter. */
async function race(hideMs: number): Promise<number> {
  const proxy = await startListingDelayProxy({ target: new URL(inject('swift').authUrl).origin, hideMs });
  try {
    const env = { ...cliEnv('swift'), OS_AUTH_URL: `${proxy.url}/auth/v1.0`, STATESTORE_LEASE_SETTLE: `${SETTLE_MS}ms` };
    const state = ['--state', await freshStoreUrl('swift', tmp)];
    const counter = path.join(mkdtempSync(path.join(tmp, 'counter-')), 'counter');
    writeFileSync(counter, '0\n');
    const script = `n=$(cat ${counter}); sleep 0.05; echo $((n + 1)) > ${counter}`;
    const runs = await Promise.all(Array.from({ length: PROCESSES }, () => runCli(['lock', 'run', 'delay.k8s.local', ...state, '--', 'sh', '-c', script], env, 170_000)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const final = Number(readFileSync(counter, 'utf8').trim());
    figures.push(`  new objects hidden ${String(hideMs).padStart(4)} ms (${(hideMs / SETTLE_MS).toFixed(1)}× the settle delay): counter ${final} of ${PROCESSES}, ${proxy.counts.hidden} listing entries hidden`);
    return final;
  } finally {
    await proxy.close();
  }
}

describe('swift: listings that show new objects late', () => {
  it.each([0.5, 0.9])('hidden for %f× the settle delay: every increment kept', async (factor) => {
    expect(await race(SETTLE_MS * factor)).toBe(PROCESSES);
  });

  it('hidden for 12× the settle delay: contenders do not see each other, and increments are lost', async () => {
    expect(await race(SETTLE_MS * 12)).toBeLessThan(PROCESSES);
  });
});
