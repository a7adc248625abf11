/**
 * Cluster leases keep operators apart on every backend that can hold cluster configuration (issue 21):
 * 16 `statestore lock run` processes each read a counter, sleep 50 ms and write it plus one, and the
 * counter ends at 16; a holder SIGKILLed while holding the lease is shown to the next operator, who takes
 * the lease over without --force, after which `unlock --id` of the dead holder's lease is refused.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from './support/cli.js';
import { cliEnv, freshStoreUrl, type ConfigStore } from './support/stores.js';

const CLUSTER = 'lease.k8s.local';
const PROCESSES = 16;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'leases-'));
const figures: string[] = [];
afterAll(() => process.stderr.write(`[resilience] leases:\n${figures.join('\n')}\n`));

/** The shell command of each process: read the counter, sleep 50 ms, write it plus one. */
const increment = (file: string) => `n=$(cat ${file}); sleep 0.05; echo $((n + 1)) > ${file}`;

describe.each<ConfigStore>(['file', 's3', 'gs', 'oss', 'swift', 'k8s'])('%s', (store) => {
  it(`${PROCESSES} \`lock run\` processes incrementing one counter: it ends at ${PROCESSES}`, async () => {
    const env = cliEnv(store);
    const state = ['--state', await freshStoreUrl(store, tmp)];
    const counter = path.join(mkdtempSync(path.join(tmp, 'counter-')), 'counter');
    writeFileSync(counter, '0\n');
    const started = performance.now();
    const runs = await Promise.all(Array.from({ length: PROCESSES }, () => runCli(['lock', 'run', CLUSTER, ...state, '--', 'sh', '-c', increment(counter)], env, 170_000)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(counter, 'utf8').trim()).toBe(String(PROCESSES));
    figures.push(`${store.padEnd(6)} ${PROCESSES} lock run: counter ${readFileSync(counter, 'utf8').trim()} in ${Math.round((performance.now() - started) / 100) / 10} s`);
    expect(JSON.parse((await runCli(['lock', 'list', '-o', 'json', ...state], env)).stdout)).toEqual([]);
  });

  it('a holder SIGKILLed while holding the lease: the next operator sees it, takes over without --force; unlock --id of the old lease is refused', async () => {
    const env = cliEnv(store);
    const state = ['--state', await freshStoreUrl(store, tmp)];
    const status = async () => JSON.parse((await runCli(['lock', 'status', CLUSTER, '-o', 'json', ...state], env)).stdout) as { held: boolean; lease?: { id: string; pid: number; command: string } };
    const hold = async () => {
      // its own process group, so that the whole of it (statestore and its command) can be killed at once
      const child = spawn(process.execPath, [CLI, 'lock', 'run', CLUSTER, ...state, '--', 'sleep', '60'], { env, detached: true, stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await expect.poll(async () => (await status()).lease?.pid, { timeout: 60_000, interval: 200 }).toBe(child.pid);
      return { child, exited, id: (await status()).lease!.id };
    };
    const first = await hold();
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exited;
    const seen = await status();
    expect(seen.lease).toMatchObject({ id: first.id, pid: first.child.pid, command: `statestore lock run ${CLUSTER} -- sleep 60` });

    const second = await hold();
    expect(second.id).not.toBe(first.id);
    const refused = await runCli(['unlock', CLUSTER, '--id', first.id, ...state], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`lease id ${second.id}`);
    expect(refused.stderr).toContain(`not lease id ${first.id}; nothing was removed`);
    expect((await status()).lease?.id).toBe(second.id);

    process.kill(-second.child.pid!, 'SIGTERM');
    expect(await second.exited).toBe(143);
    expect((await status()).held).toBe(false);
  });
});
