#!/usr/bin/env node
/**
 * Benchmark: `statestore sync` against `rclone sync` (Debian's rclone, at its defaults and at
 * --transfers 16 --checkers 32) copying 2,000 files of 1–8 KiB between two buckets of one local
 * fake-gcs-server (the pinned build the gs:// tests start, in memory). rclone's `gcs` backend is pointed at
 * the server with `endpoint` and `anonymous` (no credentials, so no OAuth and no metadata server: nothing
 * leaves 127.0.0.1); Statestore with STORAGE_EMULATOR_HOST. Same machine, same run, interleaved
 * repetitions; each run is its own process, timed from spawn to exit, CPU and peak RSS from /usr/bin/time.
 * Prints the figures and the ratios with the load average; issue 28 sets no goal for gs:// yet. Never part
 * of the tests.
 *
 * Needs: bash scripts/install-test-servers.sh gcs rclone, and a build (pnpm build).
 * Usage: node bench/sync-gcs.mjs [--files 2000] [--reps 3]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLimited } from '@statestore/core';
import { startFakeGcs } from '@statestore/testkit/fake-gcs';
import { fmt, loadAverage, measure, median, rcloneBinary } from './timed-process.mjs';
import { option } from './command-line.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FILES = Number(option('--files', '2000'));
const REPS = Number(option('--reps', '3'));

const cliBin = path.resolve(here, '../packages/cli/dist/bin.js');
if (!existsSync(cliBin)) throw new Error(`${cliBin} is missing: run pnpm build first`);
const rclone = rcloneBinary();

const server = await startFakeGcs();
const work = mkdtempSync(path.join(os.tmpdir(), 'statestore-bench-gcs-'));
try {
  const api = `${server.endpoint}/storage/v1`;
  const call = async (url, init) => {
    const res = await fetch(url, init);
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  let bucketCounter = 0;
  const newBucket = async (label) => {
    const name = `${label}-${++bucketCounter}-${randomBytes(3).toString('hex')}`;
    await call(`${api}/b?project=bench`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    return name;
  };
  const countObjects = async (bucket) => {
    let n = 0;
    let token;
    do {
      const page = await call(`${api}/b/${bucket}/o?maxResults=1000${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      n += page.items?.length ?? 0;
      token = page.nextPageToken;
    } while (token);
    return n;
  };

  const env = {
    STATESTORE_CACHE: path.join(work, 'statestore-cache'),
    STORAGE_EMULATOR_HOST: server.endpoint,
    RCLONE_CONFIG: path.join(work, 'rclone.conf'),
    RCLONE_CONFIG_BENCH_TYPE: 'google cloud storage',
    RCLONE_CONFIG_BENCH_ENDPOINT: `${api}/`,
    RCLONE_CONFIG_BENCH_ANONYMOUS: 'true',
    RCLONE_CONFIG_BENCH_NO_CHECK_BUCKET: 'true',
  };

  // Seed: FILES objects of 1–8 KiB, uploaded through the JSON API so that no tool gets metadata of its own.
  const source = await newBucket('src');
  process.stderr.write(`seeding ${FILES} objects into ${source}…\n`);
  await runLimited([...Array(FILES).keys()], 32, async (i) => {
    const size = 1024 + Math.floor(Math.random() * 7 * 1024);
    const name = encodeURIComponent(`cluster-${i % 10}/dir-${i % 37}/file-${i}`);
    await call(`${server.endpoint}/upload/storage/v1/b/${source}/o?uploadType=media&name=${name}`, { method: 'POST', body: randomBytes(size) });
  });

  const settings = [
    { name: 'statestore sync', run: (dst) => [process.execPath, [cliBin, 'sync', `gs://${source}`, `gs://${dst}`]] },
    { name: 'rclone sync (defaults)', peer: true, run: (dst) => [rclone, ['sync', `bench:${source}`, `bench:${dst}`]] },
    { name: 'rclone sync --transfers 16 --checkers 32', peer: true, run: (dst) => [rclone, ['sync', '--transfers', '16', '--checkers', '32', `bench:${source}`, `bench:${dst}`]] },
  ];
  const results = new Map(settings.map((s) => [s.name, []]));
  const loadAtStart = loadAverage();
  for (let rep = 1; rep <= REPS; rep++) {
    for (const s of settings) {
      const dst = await newBucket('dst');
      const [command, argv] = s.run(dst);
      const r = await measure(command, argv, env);
      const n = await countObjects(dst);
      if (n !== FILES) throw new Error(`${s.name} left ${n} of ${FILES} objects in ${dst}`);
      results.get(s.name).push(r);
      process.stderr.write(`rep ${rep} ${s.name}: ${fmt(r.wall)} s, CPU ${fmt(r.cpu)} s, ${fmt(r.rssMb, 0)} MB\n`);
    }
  }

  const out = [];
  out.push(`# sync ${FILES} files of 1–8 KiB between two fake-gcs-server buckets (${REPS} interleaved runs each, median wall time, max peak RSS)`);
  out.push(`node: ${process.version}; fake-gcs-server: ${server.version}; rclone: ${execFileSync(rclone, ['version'], { encoding: 'utf8' }).split('\n')[0]}`);
  out.push(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average at the start ${loadAtStart}`);
  out.push('');
  out.push('| setting | wall (s), median | min–max | client CPU (s), median | peak RSS (MB) |');
  out.push('|---|---:|---:|---:|---:|');
  const stats = new Map();
  for (const s of settings) {
    const rs = results.get(s.name);
    const st = { wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)), rss: Math.max(...rs.map((r) => r.rssMb)), min: Math.min(...rs.map((r) => r.wall)), max: Math.max(...rs.map((r) => r.wall)) };
    stats.set(s.name, st);
    out.push(`| ${s.name} | ${fmt(st.wall)} | ${fmt(st.min)}–${fmt(st.max)} | ${fmt(st.cpu)} | ${fmt(st.rss, 0)} |`);
  }
  out.push('');
  const ours = stats.get('statestore sync');
  for (const s of settings.filter((x) => x.peer)) {
    const peer = stats.get(s.name);
    out.push(`statestore / ${s.name}: time ${fmt(ours.wall / peer.wall)}×, client CPU ${fmt(ours.cpu / peer.cpu)}×, memory ${fmt(ours.rss / peer.rss)}× (no goal yet for gs://)`);
  }
  out.push(`load average at the end: ${loadAverage()}`);
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
