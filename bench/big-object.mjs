#!/usr/bin/env node
/**
 * Benchmark: one 1 GiB object copied by `statestore cp` and by `rclone copyto` (Debian's rclone, at its
 * defaults), three ways: local disk → MinIO (streamed multipart upload), MinIO → local disk (streamed
 * download) and MinIO → MinIO (server-side copy inside one MinIO). Each copy is its own process, timed from
 * spawn to exit, its peak RSS from /usr/bin/time; repetitions interleaved with the tool that goes first
 * alternating. Goals (issue 27): wall ≤ 1.0× rclone; peak memory ≤ 1.0× rclone's or, when Node's own floor
 * is higher, that floor plus 32 MB. The floor is measured in the same run: the peak RSS of a Node process
 * that loads @aws-sdk/client-s3 and makes one request (bare `node -e 0` is printed too). The load average
 * is printed at the start and the end. MinIO's data and the local files are on /dev/shm when it exists
 * (--disk keeps them on the temp disk), and every copy's result is checked (size) and removed. Never part
 * of the tests.
 *
 * Needs: bash scripts/install-test-servers.sh minio rclone, and a build (pnpm build).
 * Usage: node bench/big-object.mjs [--reps 3] [--mib 1024]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { startMinio } from '@statestore/testkit/minio';
import { dataInMemoryUnless, dataPlace, minioClient, minioEnv } from './minio-bench.mjs';
import { loadAverage, measure, median, rcloneBinary } from './timed-process.mjs';
import { args, option } from './command-line.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPS = Number(option('--reps', '3'));
const BYTES = Number(option('--mib', '1024')) * 1024 * 1024;
const HEADROOM_MB = 32;
const cliBin = path.resolve(here, '../packages/cli/dist/bin.js');
if (!existsSync(cliBin)) throw new Error(`${cliBin} is missing: run pnpm build first`);
const rclone = rcloneBinary();

dataInMemoryUnless(args);
const minio = await startMinio();
const work = mkdtempSync(path.join(os.tmpdir(), 'statestore-bench-big-'));
try {
  const client = minioClient(minio, {
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const [source, target] = ['big-source', 'big-target'];
  for (const bucket of [source, target]) await client.send(new CreateBucketCommand({ Bucket: bucket }));

  // The local file and the source object: random bytes (nothing compresses or deduplicates them).
  process.stderr.write(`writing ${BYTES / 2 ** 20} MiB to local disk…\n`);
  const localFile = path.join(work, 'object.bin');
  const chunk = randomBytes(1024 * 1024);
  const chunks = function* () {
    for (let sent = 0; sent < BYTES; sent += chunk.length) {
      chunk[0] = (chunk[0] + 1) & 0xff;
      yield Buffer.from(chunk);
    }
  };
  await pipeline(chunks(), createWriteStream(localFile));

  const env = {
    HOME: work,
    STATESTORE_CACHE: path.join(work, 'statestore-cache'),
    ...minioEnv(minio),
    RCLONE_CONFIG: path.join(work, 'rclone.conf'),
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Minio',
    RCLONE_CONFIG_BENCH_ENDPOINT: minio.endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: minio.accessKeyId,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: minio.secretAccessKey,
    RCLONE_CONFIG_BENCH_REGION: minio.region,
  };
  // Statestore's first write to a bucket settles its capabilities once (kept in STATESTORE_CACHE): done
  // here, outside the timings, as a user's earlier commands would have.
  const warm = path.join(work, 'warm.txt');
  await pipeline(['warm'], createWriteStream(warm));
  for (const bucket of [source, target]) await measure(process.execPath, [cliBin, 'cp', warm, `s3://${bucket}/warm.txt`], env);
  await measure(process.execPath, [cliBin, 'cp', localFile, `s3://${source}/object`], env);

  const localOut = path.join(work, 'copy.bin');
  const removeS3 = (key) => client.send(new DeleteObjectCommand({ Bucket: target, Key: key }));
  const s3Size = async (key) => (await client.send(new HeadObjectCommand({ Bucket: target, Key: key }))).ContentLength;
  const directions = [
    {
      name: 'local disk → MinIO',
      statestore: [cliBin, 'cp', localFile, `s3://${target}/ss-object`],
      rclone: ['copyto', localFile, `bench:${target}/rc-object`],
      check: async (tool) => s3Size(`${tool}-object`),
      clean: (tool) => removeS3(`${tool}-object`),
    },
    {
      name: 'MinIO → local disk',
      statestore: [cliBin, 'cp', `s3://${source}/object`, localOut],
      rclone: ['copyto', `bench:${source}/object`, localOut],
      // rclone downloads a large object as 4 ranged streams at once; one stream, as Statestore reads, places a difference.
      reference: { name: 'rclone --multi-thread-streams 0', args: ['copyto', '--multi-thread-streams', '0', `bench:${source}/object`, localOut] },
      check: async () => statSync(localOut).size,
      clean: async () => rmSync(localOut, { force: true }),
    },
    {
      name: 'MinIO → MinIO',
      statestore: [cliBin, 'cp', `s3://${source}/object`, `s3://${target}/ss-object`],
      rclone: ['copyto', `bench:${source}/object`, `bench:${target}/rc-object`],
      check: async (tool) => s3Size(`${tool}-object`),
      clean: (tool) => removeS3(`${tool}-object`),
    },
  ];

  // Node's floor: bare, and with the S3 SDK loaded and one request made (what any S3 command carries).
  const floorScript = `const { S3Client, ListBucketsCommand } = await import('@aws-sdk/client-s3');
const c = new S3Client({ endpoint: ${JSON.stringify(minio.endpoint)}, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID, secretAccessKey: process.env.S3_SECRET_ACCESS_KEY } });
await c.send(new ListBucketsCommand({})); c.destroy();`;
  const floors = { bare: [], sdk: [] };
  for (let i = 0; i < REPS; i++) {
    floors.bare.push((await measure(process.execPath, ['-e', '0'], env)).rssMb);
    floors.sdk.push((await measure(process.execPath, ['--input-type=module', '-e', floorScript], env, here)).rssMb);
  }

  const loadBefore = loadAverage();
  const results = new Map(directions.map((d) => [d.name, { ss: [], rc: [], ref: [] }]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const d of directions) {
      const order = rep % 2 === 0 ? ['ss', 'rc', 'ref'] : ['ref', 'rc', 'ss'];
      for (const tool of order.filter((t) => t !== 'ref' || d.reference)) {
        const argv = { ss: d.statestore, rc: d.rclone, ref: d.reference?.args }[tool];
        const m = await measure(tool === 'ss' ? process.execPath : rclone, argv, env);
        const size = await d.check(tool);
        if (size !== BYTES) throw new Error(`${d.name} by ${tool}: ${size} bytes arrived, expected ${BYTES}`);
        await d.clean(tool);
        results.get(d.name)[tool].push(m);
        process.stderr.write(`${d.name} ${{ ss: 'statestore', rc: 'rclone', ref: d.reference?.name }[tool]}: ${m.wall.toFixed(2)} s, ${m.rssMb.toFixed(0)} MB\n`);
      }
    }
  }
  const loadAfter = loadAverage();

  const floorBare = median(floors.bare);
  const floorSdk = median(floors.sdk);
  console.log(`one ${BYTES / 2 ** 20} MiB object, statestore cp vs rclone copyto; ${REPS} interleaved runs each (median wall, max peak RSS)`);
  console.log(`  ${process.version}, ${os.cpus().length} CPUs, ${execFileSync(rclone, ['version'], { encoding: 'utf8' }).split('\n')[0]}, MinIO ${minio.version}; data on ${dataPlace()}; ${new Date().toISOString()}`);
  console.log(`  load average (1, 5, 15 min): ${loadBefore} at the start, ${loadAfter} at the end`);
  console.log(`  Node's floor: bare ${floorBare.toFixed(0)} MB; with @aws-sdk/client-s3 and one request ${floorSdk.toFixed(0)} MB (+${HEADROOM_MB} MB = ${(floorSdk + HEADROOM_MB).toFixed(0)} MB)`);
  for (const d of directions) {
    const { ss, rc, ref } = results.get(d.name);
    const [ssWall, rcWall] = [median(ss.map((m) => m.wall)), median(rc.map((m) => m.wall))];
    const [ssRss, rcRss] = [Math.max(...ss.map((m) => m.rssMb)), Math.max(...rc.map((m) => m.rssMb))];
    const memoryLimit = Math.max(rcRss, floorSdk + HEADROOM_MB);
    const limitSays = rcRss >= floorSdk + HEADROOM_MB ? "rclone's peak" : 'the floor + 32 MB';
    const wallRatio = ssWall / rcWall;
    console.log(`  ${d.name}:`);
    console.log(`    wall   statestore ${ssWall.toFixed(2)} s, rclone ${rcWall.toFixed(2)} s: ${wallRatio.toFixed(2)}× (goal ≤ 1.00× ${wallRatio <= 1 ? 'met' : 'NOT met'})`);
    console.log(
      `    memory statestore ${ssRss.toFixed(0)} MB, rclone ${rcRss.toFixed(0)} MB: ${(ssRss / rcRss).toFixed(2)}× rclone; limit ${memoryLimit.toFixed(0)} MB (${limitSays}) ${ssRss <= memoryLimit ? 'met' : 'NOT met'}`,
    );
    if (d.reference) {
      const refWall = median(ref.map((m) => m.wall));
      console.log(`    reference: ${d.reference.name} ${refWall.toFixed(2)} s, ${Math.max(...ref.map((m) => m.rssMb)).toFixed(0)} MB; statestore ${(ssWall / refWall).toFixed(2)}× that`);
    }
  }
  client.destroy();
} finally {
  await minio.stop();
  rmSync(work, { recursive: true, force: true });
}
