/**
 * Resumability: a sync in a child process is killed with SIGKILL part-way; every destination file is then
 * either its old or its new version (never partial), and a rerun completes the destination identically.
 * Needs core's dist (the test script runs after the build).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolvePath, sync } from '../../src/index.js';
import { randomFiles, tempDir, treeHashes, writeTree } from './helpers.js';

const dist = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/index.js')).href;
const child = path.join(import.meta.dirname, 'fixtures/sync-child.mjs');

/** Starts the child sync and SIGKILLs it when it has reported `after` copies; resolves with how it ended. */
function runAndKill(source: string, destination: string, after: number): Promise<{ signal: NodeJS.Signals | null; copiedBeforeKill: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dist, source, destination], { stdio: ['ignore', 'pipe', 'inherit'] });
    let copied = 0;
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (line.startsWith('copied ') && ++copied === after) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => resolve({ signal, copiedBeforeKill: copied }));
  });
}

describe('resume after SIGKILL', () => {
  it('leaves only whole files, and a rerun ends identical by hash', async () => {
    const dir = tempDir('resume');
    const src = await resolvePath(`${dir}/src`);
    const dst = await resolvePath(`${dir}/dst`);
    const files: Record<string, Uint8Array> = { ...randomFiles(400) };
    for (let i = 0; i < 4; i++) files[`large/blob-${i}`] = randomBytes(9 * 1024 * 1024 + i);
    await writeTree(src, files);
    // Old versions of some files, so a killed run leaves a mix of old and new.
    const old: Record<string, Uint8Array> = {};
    for (const key of Object.keys(files).filter((_, i) => i % 5 === 0)) old[key] = randomBytes(100);
    await writeTree(dst, old);
    const expected = await treeHashes(src);
    const oldHashes = await treeHashes(dst);

    const { signal, copiedBeforeKill } = await runAndKill(`file://${dir}/src`, `file://${dir}/dst`, 60);
    expect(signal).toBe('SIGKILL');
    expect(copiedBeforeKill).toBeGreaterThanOrEqual(60); // lines already in the pipe when the kill landed still count

    const afterKill = await treeHashes(dst);
    expect(afterKill).not.toEqual(expected);
    for (const [key, hash] of Object.entries(afterKill)) expect([expected[key], oldHashes[key]], key).toContain(hash);

    const rerun = await sync(src, dst);
    expect(rerun.errors).toEqual([]);
    expect(rerun.skipped).toBeGreaterThanOrEqual(60);
    expect(rerun.copied + rerun.skipped).toBe(Object.keys(files).length);
    expect(await treeHashes(dst)).toEqual(expected);
  });
});
