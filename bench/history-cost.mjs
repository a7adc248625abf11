#!/usr/bin/env node
/**
 * Benchmark: what the history journal costs a `statestore set cluster` on s3:// (a local stock MinIO). Two stores
 * in one bucket hold the same cluster, one journaled and one with STATESTORE_HISTORY=off (recorded in that store);
 * the same `set` runs against each, alternately, so load from elsewhere on the machine hits both sides alike.
 * Measured two ways: the built CLI as a child process (wall from spawn to exit: what a user waits for) and the
 * CLI's `main` in this process (no process start, so the journal's share is larger). Prints medians, the ratios
 * journal / off (goal: ≤ 1.3× wall), the S3 requests per set of each side (from -v 4), and the load average
 * before and after. MinIO's data folder is on /dev/shm when it exists (--disk keeps it on the temp disk).
 * Never part of the tests.
 *
 * Needs: bash scripts/install-test-servers.sh minio, and a build (pnpm build).
 * Usage: node bench/history-cost.mjs [--reps 15] [--inprocess-reps 40] [--disk]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import s3Plugin from '@statestore/backend-s3';
import { PluginRegistry } from '@statestore/core';
import { startMinio } from '@statestore/testkit/minio';
import { dataInMemoryUnless, minioClient, minioEnv } from './minio-bench.mjs';
import { args, option } from './command-line.mjs';

const REPS = Number(option('--reps', '15'));
const IN_PROCESS_REPS = Number(option('--inprocess-reps', '40'));
const CLUSTER = 'bench.example.com';
const CLI = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const { main } = await import(new URL('../packages/cli/dist/index.js', import.meta.url).href);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function child(argv, env) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [CLI, ...argv], { env }, (error, stdout, stderr) => {
      if (error) reject(new Error(`statestore ${argv.join(' ')}: ${stderr}`));
      else resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, stdout, stderr });
    }),
  );
}

async function inProcess(argv, env, registry) {
  let stderr = '';
  const io = { stdout: { write: () => true }, stderr: { write: (c) => (stderr += String(c)) }, stdin: Readable.from(['']), env, cwd: os.tmpdir(), interactive: false, color: false };
  const started = process.hrtime.bigint();
  const code = await main(argv, io, { registry });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (code !== 0) throw new Error(`statestore ${argv.join(' ')}: exit ${code}: ${stderr}`);
  return ms;
}

dataInMemoryUnless(args);
console.log(`load average before: ${load()} (${os.cpus().length} CPUs)`);
const minio = await startMinio();
try {
  const bucket = `bench-${Date.now().toString(36)}`;
  const raw = minioClient(minio);
  await raw.send(new CreateBucketCommand({ Bucket: bucket }));
  raw.destroy();
  const base = {
    PATH: process.env.PATH,
    HOME: mkdtempSync(path.join(os.tmpdir(), 'statestore-bench-home-')),
    ...minioEnv(minio),
    STATESTORE_CACHE: mkdtempSync(path.join(os.tmpdir(), 'statestore-bench-cache-')),
    NO_COLOR: '1',
  };
  const sides = {
    journal: { ...base, KOPS_STATE_STORE: `s3://${bucket}/journal` },
    off: { ...base, KOPS_STATE_STORE: `s3://${bucket}/off`, STATESTORE_HISTORY: 'off' },
  };
  for (const env of Object.values(sides)) await child(['create', 'cluster', CLUSTER, '--zones', 'us-east-1a', '--cloud', 'aws'], env);

  let n = 0;
  const set = () => ['set', 'cluster', CLUSTER, `spec.kubernetesVersion=1.30.${n++}`];
  const requests = {};
  for (const [name, env] of Object.entries(sides)) requests[name] = (await child([...set(), '-v', '4'], env)).stderr.split('\n').filter((l) => / → /.test(l)).length;

  const times = { child: { journal: [], off: [] }, inProcess: { journal: [], off: [] } };
  for (let i = 0; i < REPS; i++) {
    const order = i % 2 ? ['off', 'journal'] : ['journal', 'off'];
    for (const name of order) times.child[name].push((await child(set(), sides[name])).ms);
  }
  const registry = new PluginRegistry(() => []);
  registry.register(s3Plugin);
  for (const name of ['journal', 'off']) await inProcess(set(), sides[name], registry); // warm-up (SDK loaded, probe settled)
  for (let i = 0; i < IN_PROCESS_REPS; i++) {
    const order = i % 2 ? ['off', 'journal'] : ['journal', 'off'];
    for (const name of order) times.inProcess[name].push(await inProcess(set(), sides[name], registry));
  }

  const row = (label, t) => {
    const [j, o] = [median(t.journal), median(t.off)];
    return `| ${label} | ${j.toFixed(1)} ms | ${o.toFixed(1)} ms | ${(j / o).toFixed(2)}× |`;
  };
  console.log('');
  console.log(`\`statestore set cluster\` on s3:// (MinIO ${minio.version.split(' ')[0]}), median of ${REPS} child processes and ${IN_PROCESS_REPS} in-process runs per side, interleaved`);
  console.log('');
  console.log('| measured | journal on | STATESTORE_HISTORY=off | ratio (goal ≤ 1.3×) |');
  console.log('|---|---|---|---|');
  console.log(row('CLI child process, spawn to exit', times.child));
  console.log(row('CLI main in process (no process start)', times.inProcess));
  console.log('');
  console.log(`S3 requests per set (-v 4): journal on ${requests.journal}, off ${requests.off}`);
  console.log(`load average after: ${load()}`);
} finally {
  await minio.stop();
}
