/**
 * Resumability against real servers: a sync file → MinIO in a child process is killed with SIGKILL
 * part-way (large files go up as multipart uploads, which S3 makes visible only when complete); every
 * object then holds either its old or its new content, and a rerun ends identical by hash.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { resolvePath, sync } from '@statestore/core';
import { newS3Bucket, open, serverEnv, tempDir, treeHashes, writeTree } from './helpers.js';

const child = path.join(import.meta.dirname, 'fixtures/sync-child.mjs');

function runAndKill(source: string, destination: string, after: number): Promise<{ signal: NodeJS.Signals | null; copied: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, source, destination], {
      cwd: import.meta.dirname,
      env: { ...process.env, ...serverEnv() },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let copied = 0;
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (line.startsWith('copied ') && ++copied === after) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => resolve({ signal, copied }));
  });
}

describe('resume after SIGKILL, file → MinIO', () => {
  it('leaves only whole objects, and a rerun ends identical by hash', async () => {
    const dir = tempDir('resume');
    const src = await resolvePath(`${dir}/src`);
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 200; i++) files[`small/f-${i}`] = randomBytes(1024 + ((i * 613) % 7000));
    for (let i = 0; i < 3; i++) files[`large/blob-${i}`] = randomBytes(12 * 1024 * 1024 + i);
    await writeTree(src, files);
    const dstUrl = `s3://${await newS3Bucket('resume')}/state`;
    const dst = await open(dstUrl);
    const old: Record<string, Uint8Array> = {};
    for (const key of Object.keys(files).filter((_, i) => i % 4 === 0)) old[key] = randomBytes(64);
    await writeTree(dst, old);
    const expected = await treeHashes(src);
    const oldHashes = await treeHashes(dst);

    const killed = await runAndKill(`file://${dir}/src`, dstUrl, 40);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.copied).toBeGreaterThanOrEqual(40); // lines already in the pipe when the kill landed still count
    const afterKill = await treeHashes(dst);
    expect(afterKill).not.toEqual(expected);
    for (const [key, hash] of Object.entries(afterKill)) expect([expected[key], oldHashes[key]], key).toContain(hash);

    const rerun = await sync(src, dst);
    expect(rerun.errors).toEqual([]);
    expect(rerun.skipped).toBeGreaterThanOrEqual(40);
    expect(await treeHashes(dst)).toEqual(expected);
  });
});
