/**
 * Bounded memory: `statestore cat` of a 1 GiB object streams it, on file:// and on MinIO through each S3
 * client (STATESTORE_S3_CLIENT=fast, the default, and sdk: their HTTP stacks differ). The built CLI runs
 * as a child process with a preloaded reporter that records the child's own peak resident set size (VmHWM
 * in /proc/self/status) when it exits; stdout is read and hashed here, so the bytes are checked too.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newS3Bucket, open, serverEnv, tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const GIB = 1024 ** 3;
/** The bound asked for: 120 MB (a 1 GiB cat once peaked at 2.2 GB, reading the whole object into memory). */
const PEAK_LIMIT = 120_000_000;

const dir = tempDir('statestore-cat-memory-');
const file = path.join(dir, 'one-gib.bin');
const reporter = path.join(dir, 'peak-rss.cjs');
let sha256: string;

beforeAll(async () => {
  // 1 GiB of 1 MiB random blocks, each one different (a counter in front), hashed on the way.
  const block = randomBytes(1024 * 1024);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let i = 0; i < GIB / block.length; i++) {
    block.writeUInt32BE(i, 0);
    hash.update(block);
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
  sha256 = hash.digest('hex');
  // VmHWM, not getrusage's maxrss: Linux carries the peak of the forked parent's memory through exec into maxrss.
  writeFileSync(
    reporter,
    "const fs = require('node:fs');\nprocess.on('exit', () => fs.writeFileSync(process.env.PEAK_RSS_FILE, String(1024 * Number(/VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]))));\n",
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `statestore cat URL`; returns the child's peak RSS (bytes), what it printed (size, hash) and its exit. */
async function catPeak(url: string, env: NodeJS.ProcessEnv): Promise<{ peak: number; size: number; sha256: string; code: number | null; stderr: string }> {
  const peakFile = path.join(dir, `peak-${Date.now()}`);
  const child = spawn(process.execPath, ['--require', reporter, CLI, 'cat', url], {
    env: { ...process.env, ...serverEnv(), ...env, PEAK_RSS_FILE: peakFile, HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hash = createHash('sha256');
  let size = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    size += chunk.length;
    hash.update(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { peak: Number(readFileSync(peakFile, 'utf8')), size, sha256: hash.digest('hex'), code, stderr };
}

/** The object on MinIO, uploaded once for both S3 clients. */
let s3Url: Promise<string> | undefined;
function uploadedToS3(): Promise<string> {
  s3Url ??= (async () => {
    const url = `s3://${await newS3Bucket('cat')}/one-gib.bin`;
    await (await open(url)).writeFile(createReadStream(file));
    return url;
  })();
  return s3Url;
}

describe('statestore cat of a 1 GiB object', () => {
  it.each([
    ['file://', async () => `file://${file}`, {}],
    ['s3:// (MinIO, fast client)', uploadedToS3, { STATESTORE_S3_CLIENT: 'fast' }],
    ['s3:// (MinIO, sdk client)', uploadedToS3, { STATESTORE_S3_CLIENT: 'sdk' }],
  ])('%s streams it: every byte arrives, and the child peaks under 120 MB', async (_store, prepare, env) => {
    const r = await catPeak(await prepare(), env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.size).toBe(GIB);
    expect(r.sha256).toBe(sha256);
    process.stderr.write(`[cat-memory] ${_store}: peak RSS ${(r.peak / 1024 / 1024).toFixed(0)} MiB\n`);
    expect(r.peak).toBeLessThanOrEqual(PEAK_LIMIT);
  });
});
