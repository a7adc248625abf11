/**
 * The cluster lease from the command line, on file:// (every backend: packages/resilience/test/leases.test.ts):
 * `lock run` holds it around a command, forwards signals to it, passes its exit code, lets nested statestore
 * commands join; other commands wait (`--lock-timeout`) and name the holder when they give up; `lock list` and
 * `lock status` show it; `unlock --id` is refused once the lease changed hands; `unlock --force` breaks it and
 * `lock run` stops its command with exit 3; a SIGKILLed holder is taken over without --force.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli, tempDir } from './helpers.js';

const NAME = 'lease.example.com';
let dir: string;
let state: string[];
beforeEach(async () => {
  dir = tempDir('statestore-lock-');
  state = ['--state', `file://${dir}`];
  expect((await runCli(['create', 'cluster', NAME, '--zones', 'us-east-1a', '--cloud', 'aws', ...state])).code).toBe(0);
});

/** Starts `statestore lock run NAME -- ...command` in its own process group; resolves once the lease is held. */
async function holdWith(command: string[], env = cleanEnv()) {
  const child = spawn(process.execPath, [BIN, 'lock', 'run', NAME, ...state, '--', ...command], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await expect.poll(async () => JSON.parse((await runCli(['lock', 'status', NAME, '-o', 'json', ...state])).stdout).held, { timeout: 20_000, interval: 100 }).toBe(true);
  const { lease } = JSON.parse((await runCli(['lock', 'status', NAME, '-o', 'json', ...state])).stdout) as { lease: { id: string; pid: number; command: string } };
  return { child, exited, lease, stderr: () => stderr };
}

describe('statestore lock run', () => {
  it('runs the command under the lease (STATESTORE_LEASE), passes its exit code, and releases the lease', async () => {
    const r = await runCli(['lock', 'run', NAME, ...state, '--', 'sh', '-c', 'echo "lease=$STATESTORE_LEASE"; exit 7']);
    expect(r.code, r.stderr).toBe(7);
    expect(r.stdout).toMatch(/^lease=[0-9a-f-]{36}\n$/);
    expect(JSON.parse((await runCli(['lock', 'list', '-o', 'json', ...state])).stdout)).toEqual([]);
    // the lease lives outside the cluster folder, and nothing of it is left
    expect(readdirSync(path.join(dir, NAME)).sort()).toEqual(['clusteraddons', 'config', 'instancegroup']);
    expect(existsSync(path.join(dir, '.statestore', 'leases'))).toBe(false);
  });

  it('statestore commands inside join the lease instead of waiting for it', async () => {
    const inner = `node ${BIN} set cluster ${NAME} spec.kubernetesVersion=1.30.1 --lock-timeout 0 ${state.join(' ')}`;
    const r = await runCli(['lock', 'run', NAME, ...state, '--', 'sh', '-c', inner]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Cluster ${NAME}: set spec.kubernetesVersion`);
  });

  it('other commands wait, and give up naming the holder, how long it has held the lease and how to break it', async () => {
    const holder = await holdWith(['sleep', '30']);
    try {
      expect(holder.lease.pid).toBe(holder.child.pid);
      expect(holder.lease.command).toBe(`statestore lock run ${NAME} -- sleep 30`);
      const r = await runCli(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.30.2', '--lock-timeout', '200ms', ...state]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`pid ${holder.child.pid}, "statestore lock run ${NAME} -- sleep 30"`);
      expect(r.stderr).toMatch(/ for \d+ s \(by its clock\)/);
      expect(r.stderr).toContain(`statestore unlock ${NAME} --id ${holder.lease.id} --state ${dir}`);
      const list = await runCli(['lock', 'list', ...state]);
      expect(list.stdout).toMatch(new RegExp(`^CLUSTER +HOLDER +PID +HELD +LEASE ID +COMMAND\\n${NAME.replace(/\./g, '\\.')} +\\S+@\\S+ +${holder.child.pid} +\\d+s +${holder.lease.id} +statestore lock run`));
      expect((await runCli(['lock', 'status', NAME, ...state])).stdout).toContain(`held by`);
      expect((await runCli(['get', 'cluster', NAME, '-o', 'json', ...state])).stdout).not.toContain('1.30.2');
    } finally {
      // to statestore alone: it forwards the signal to its command, and passes on how that ended (128+15)
      process.kill(holder.child.pid!, 'SIGTERM');
    }
    expect(await holder.exited).toBe(143);
    expect(JSON.parse((await runCli(['lock', 'status', NAME, '-o', 'json', ...state])).stdout).held).toBe(false);
  });

  it('unlock --id is refused for a lease that has changed hands; --force breaks it and lock run stops its command (exit 3)', async () => {
    const holder = await holdWith(['sleep', '30'], cleanEnv({ STATESTORE_LEASE_TTL: '2s' }));
    const refused = await runCli(['unlock', NAME, '--id', 'an-older-lease', ...state]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Refused: the lease ${dir}/.statestore/leases/${NAME} is held by`);
    expect(refused.stderr).toContain(`lease id ${holder.lease.id}`);
    expect(JSON.parse((await runCli(['lock', 'status', NAME, '-o', 'json', ...state])).stdout).lease.id).toBe(holder.lease.id);
    const forced = await runCli(['unlock', NAME, '--force', ...state]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`Removed the lease of ${NAME} held by`);
    expect(forced.stdout).toContain(`lease id ${holder.lease.id}`);
    expect(await holder.exited).toBe(3);
    expect(holder.stderr()).toContain('stopping sleep (SIGTERM)');
  });

  it('a holder SIGKILLed while holding the lease is shown, then taken over without --force', async () => {
    const holder = await holdWith(['sleep', '30']);
    process.kill(-holder.child.pid!, 'SIGKILL');
    await holder.exited;
    const status = await runCli(['lock', 'status', NAME, ...state]);
    expect(status.stdout).toContain(`pid ${holder.child.pid}, "statestore lock run ${NAME} -- sleep 30"`);
    const r = await runCli(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.30.3', '--lock-timeout', '0', '-v', '1', ...state]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`taking over the expired lease`);
    expect(r.stderr).toContain(`pid ${holder.child.pid}`);
  });

  it('usage: a cluster and a command are needed; --id and --force exclude each other', async () => {
    expect((await runCli(['lock', 'run', NAME, ...state])).code).toBe(2);
    expect((await runCli(['unlock', NAME, ...state])).code).toBe(2);
    expect((await runCli(['unlock', NAME, '--id', 'x', '--force', ...state])).code).toBe(2);
    expect((await runCli(['set', 'cluster', NAME, 'spec.kubernetesVersion=1.30.1', '--lock-timeout', 'soon', ...state])).code).toBe(2);
  });
});
