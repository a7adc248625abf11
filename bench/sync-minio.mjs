#!/usr/bin/env node
/**
 * Benchmark: `statestore sync` against `rclone sync` (Debian's rclone; at its defaults and at
 * --transfers 16 --checkers 32) and `mc mirror` (the pinned mc), copying 2,000 files of 1–8 KiB between
 * two buckets of one local MinIO; then one 1 GiB object copied by Statestore (MinIO → MinIO, MinIO → local
 * disk, local disk → MinIO) with its peak memory. Same machine, same run, interleaved repetitions; each
 * run is its own process, timed from spawn to exit, peak RSS from /usr/bin/time. Never part of the tests.
 *
 * Needs: bash scripts/install-test-servers.sh minio rclone mc, and a build (pnpm build).
 * Usage: node bench/sync-minio.mjs [--files 2000] [--reps 3] [--sweep 8,16,32,64] [--no-big]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import s3Plugin from '@statestore/backend-s3';
import { PluginRegistry, resolvePath, runLimited } from '@statestore/core';
import { startMinio } from '@statestore/testkit/minio';
import { minioClient, minioEnv } from './minio-bench.mjs';
import { baseEnv, fmt, loadAverage, measure, median, rcloneBinary } from './timed-process.mjs';
import { args, option } from './command-line.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FILES = Number(option('--files', '2000'));
const REPS = Number(option('--reps', '3'));
const SWEEP = option('--sweep', '8,16,32,64').split(',').filter(Boolean).map(Number);
const BIG = !args.includes('--no-big');
const BIG_BYTES = 1024 * 1024 * 1024;
const RSS_LIMIT_MB = 120;

const cliBin = path.resolve(here, '../packages/cli/dist/bin.js');
const useCli = existsSync(cliBin) && !args.includes('--script');

/** mc as pinned by scripts/install-test-servers.sh. */
function mcBinary() {
  const dir = path.join(process.env.STATESTORE_CACHE ?? path.join(os.homedir(), '.cache/statestore'), 'bin');
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('mc-')).sort().pop() : undefined;
  if (!found) throw new Error('mc is not installed: run bash scripts/install-test-servers.sh mc');
  return path.join(dir, found);
}

const minio = await startMinio();
const work = mkdtempSync(path.join(os.tmpdir(), 'statestore-bench-'));
try {
  const host = new URL(minio.endpoint).host;
  const client = minioClient(minio, {
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  let bucketCounter = 0;
  const newBucket = async (label) => {
    const name = `${label}-${++bucketCounter}-${randomBytes(3).toString('hex')}`;
    await client.send(new CreateBucketCommand({ Bucket: name }));
    return name;
  };
  const countObjects = async (bucket) => {
    let n = 0;
    let token;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      n += page.KeyCount ?? 0;
      token = page.NextContinuationToken;
    } while (token);
    return n;
  };

  const env = {
    STATESTORE_CACHE: path.join(work, 'statestore-cache'),
    ...minioEnv(minio),
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Minio',
    RCLONE_CONFIG_BENCH_ENDPOINT: minio.endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: minio.accessKeyId,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: minio.secretAccessKey,
    RCLONE_CONFIG_BENCH_REGION: minio.region,
    MC_HOST_bench: `http://${encodeURIComponent(minio.accessKeyId)}:${encodeURIComponent(minio.secretAccessKey)}@${host}`,
    MC_CONFIG_DIR: path.join(work, 'mc-config'),
    RCLONE_CONFIG: path.join(work, 'rclone.conf'),
  };
  const rclone = rcloneBinary();
  const mc = mcBinary();
  const versions = {
    node: process.version,
    minio: minio.version,
    rclone: execFileSync(rclone, ['version'], { encoding: 'utf8' }).split('\n')[0],
    mc: execFileSync(mc, ['--version'], { encoding: 'utf8', env: { ...baseEnv, ...env } }).split('\n')[0],
    statestore: useCli ? `CLI ${cliBin}` : 'bench/statestore-sync.mjs (core sync + s3 plugin; the CLI is not built)',
  };

  // Seed: FILES objects of 1–8 KiB, written with the plain SDK so that no tool gets metadata of its own.
  const source = await newBucket('src');
  process.stderr.write(`seeding ${FILES} objects into ${source}…\n`);
  await runLimited([...Array(FILES).keys()], 32, async (i) => {
    const size = 1024 + Math.floor(Math.random() * 7 * 1024);
    await client.send(new PutObjectCommand({ Bucket: source, Key: `cluster-${i % 10}/dir-${i % 37}/file-${i}`, Body: randomBytes(size) }));
  });

  const statestore = (transfers) => (dst) => {
    const flags = transfers ? ['--transfers', String(transfers)] : [];
    const fast = { STATESTORE_S3_CLIENT: 'fast' };
    return useCli
      ? [process.execPath, [cliBin, 'sync', `s3://${source}`, `s3://${dst}`, ...flags], fast]
      : [process.execPath, [path.join(here, 'statestore-sync.mjs'), `s3://${source}`, `s3://${dst}`, ...flags], fast];
  };
  const statestoreSdk = (dst) => {
    const [command, argv] = statestore(undefined)(dst);
    return [command, argv, { STATESTORE_S3_CLIENT: 'sdk' }];
  };
  const settings = [
    { name: 'statestore, STATESTORE_S3_CLIENT=fast', run: statestore(undefined) },
    { name: 'statestore, STATESTORE_S3_CLIENT=sdk', run: statestoreSdk },
    ...SWEEP.map((t) => ({ name: `statestore --transfers ${t}`, run: statestore(t), sweep: true })),
    { name: 'rclone sync (defaults)', peer: true, run: (dst) => [rclone, ['sync', `bench:${source}`, `bench:${dst}`]] },
    { name: 'rclone sync --transfers 16 --checkers 32', peer: true, run: (dst) => [rclone, ['sync', '--transfers', '16', '--checkers', '32', `bench:${source}`, `bench:${dst}`]] },
    { name: 'mc mirror', peer: true, run: (dst) => [mc, ['mirror', '--quiet', `bench/${source}`, `bench/${dst}`]] },
    // The floor: what the server allows, with the most parallel peer and with the least work a Node client can do.
    { name: 'rclone sync --transfers 64 --checkers 64', floor: true, run: (dst) => [rclone, ['sync', '--transfers', '64', '--checkers', '64', `bench:${source}`, `bench:${dst}`]] },
    { name: 'raw undici loop (list + CopyObject, 64 at a time)', floor: true, run: (dst) => [process.execPath, [path.join(here, 'raw-undici-copy.mjs'), source, dst, '--transfers', '64']] },
  ];
  const results = new Map(settings.map((s) => [s.name, []]));
  for (let rep = 1; rep <= REPS; rep++) {
    for (const s of settings) {
      const dst = await newBucket('dst');
      const [command, argv, extraEnv] = s.run(dst);
      const r = await measure(command, argv, { ...env, ...extraEnv });
      const n = await countObjects(dst);
      if (n !== FILES) throw new Error(`${s.name} left ${n} of ${FILES} objects in ${dst}`);
      results.get(s.name).push(r);
      process.stderr.write(`rep ${rep} ${s.name}: ${fmt(r.wall)} s, CPU ${fmt(r.cpu)} s, ${fmt(r.rssMb, 0)} MB\n`);
    }
  }

  const lines = [];
  const out = (l = '') => lines.push(l);
  out(`# sync ${FILES} files of 1–8 KiB between two MinIO buckets (${REPS} interleaved runs each, median wall time, max peak RSS)`);
  for (const [k, v] of Object.entries(versions)) out(`${k}: ${v}`);
  out(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${loadAverage()}`);
  out();
  // Client CPU (user + system, the tool's own process) does not depend on the machine's load the way wall time does.
  out('| setting | wall (s), median | min–max | client CPU (s), median | peak RSS (MB) |');
  out('|---|---:|---:|---:|---:|');
  const stats = new Map();
  for (const s of settings) {
    const rs = results.get(s.name);
    const st = { wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)), rss: Math.max(...rs.map((r) => r.rssMb)), min: Math.min(...rs.map((r) => r.wall)), max: Math.max(...rs.map((r) => r.wall)) };
    stats.set(s.name, st);
    out(`| ${s.name} | ${fmt(st.wall)} | ${fmt(st.min)}–${fmt(st.max)} | ${fmt(st.cpu)} | ${fmt(st.rss, 0)} |`);
  }
  out();
  // Goals (issue 28): ≤ 0.7× rclone, ≤ 1.0× mc, or within 1.1× of the measured floor where that is higher;
  // peak memory ≤ 1.0× rclone's or the Node floor's (the raw undici loop).
  const ours = stats.get('statestore, STATESTORE_S3_CLIENT=fast');
  const floorSettings = settings.filter((x) => x.floor);
  const floor = Math.min(...floorSettings.map((x) => stats.get(x.name).wall));
  const nodeFloor = stats.get(floorSettings.at(-1).name);
  out(`floor: ${fmt(floor)} s (the faster of ${floorSettings.map((x) => x.name).join(' and ')}); 1.1× floor = ${fmt(1.1 * floor)} s`);
  for (const s of settings.filter((x) => x.peer)) {
    const peer = stats.get(s.name);
    const factor = s.name.startsWith('mc') ? 1.0 : 0.7;
    const goalSeconds = Math.max(factor * peer.wall, 1.1 * floor);
    const ratio = ours.wall / peer.wall;
    const goal = goalSeconds / peer.wall;
    const why = goalSeconds > factor * peer.wall ? ` (${fmt(factor, 1)}× is below 1.1× the floor)` : '';
    const memoryGoal = Math.max(peer.rss, s.name.startsWith('rclone') ? nodeFloor.rss : 0);
    const memory = s.name.startsWith('rclone')
      ? `memory ${fmt(ours.rss / peer.rss)}× (goal ≤ 1.0× rclone's or the Node floor's ${fmt(nodeFloor.rss, 0)} MB: ${ours.rss <= memoryGoal ? 'met' : 'NOT met'})`
      : `memory ${fmt(ours.rss / peer.rss)}×`;
    out(`statestore / ${s.name}: time ${fmt(ratio)}× (goal ≤ ${fmt(goal)}×${why}: ${ratio <= goal + 1e-9 ? 'met' : 'NOT met'}), client CPU ${fmt(ours.cpu / peer.cpu)}×, ${memory}`);
  }
  const sdk = stats.get('statestore, STATESTORE_S3_CLIENT=sdk');
  out(`statestore / floor: time ${fmt(ours.wall / floor)}×; fast / sdk client: time ${fmt(ours.wall / sdk.wall)}×, client CPU ${fmt(ours.cpu / sdk.cpu)}×, memory ${fmt(ours.rss / sdk.rss)}×`);
  out(`load average at the end: ${loadAverage()}`);

  if (BIG) {
    out();
    out(`# one 1 GiB object (peak RSS goal ≤ ${RSS_LIMIT_MB} MB)`);
    const bigBucket = await newBucket('big');
    process.stderr.write('seeding the 1 GiB object…\n');
    const registry = new PluginRegistry(() => []);
    registry.register(s3Plugin);
    const open = (url) => resolvePath(url, { registry, env: { ...baseEnv, ...env } });
    const chunk = randomBytes(1024 * 1024);
    let sent = 0;
    const body = Readable.from(
      (function* () {
        while (sent < BIG_BYTES) {
          sent += chunk.length;
          chunk[0] = (chunk[0] + 1) & 0xff;
          yield Buffer.from(chunk);
        }
      })(),
    );
    await (await open(`s3://${bigBucket}/big/object`)).writeFile(body);
    const localDir = path.join(work, 'big-local');
    const runs = [
      { name: 'MinIO → MinIO (server-side copy)', from: `s3://${bigBucket}/big`, to: async () => `s3://${await newBucket('bigdst')}/big` },
      { name: 'MinIO → local disk (streamed download)', from: `s3://${bigBucket}/big`, to: async () => `file://${localDir}` },
      { name: 'local disk → MinIO (streamed multipart upload)', from: `file://${localDir}`, to: async () => `s3://${await newBucket('bigup')}/big` },
    ];
    out('| copy | wall (s) | peak RSS (MB) | ≤ 120 MB |');
    out('|---|---:|---:|---|');
    for (const r of runs) {
      const to = await r.to();
      const [command, argv] = useCli
        ? [process.execPath, [cliBin, 'sync', r.from, to]]
        : [process.execPath, [path.join(here, 'statestore-sync.mjs'), r.from, to]];
      const m = await measure(command, argv, env);
      const copied = await (await open(`${to}/object`)).stat();
      if (copied.size !== BIG_BYTES) throw new Error(`${r.name}: ${copied.size} bytes arrived`);
      out(`| ${r.name} | ${fmt(m.wall)} | ${fmt(m.rssMb, 0)} | ${m.rssMb <= RSS_LIMIT_MB ? 'yes' : 'NO'} |`);
    }
  }
  client.destroy();
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await minio.stop();
  rmSync(work, { recursive: true, force: true });
}
