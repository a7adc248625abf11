/**
 * file:// removes folders a delete leaves empty. A write into the same folder at that moment must not fail
 * because its folder vanished between being made and being written into — a store's leases folder is emptied
 * by every release while the next holder creates its lease there.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePath } from '../src/index.js';

describe('file:// writes racing the removal of their emptied folder', () => {
  it('create and remove in one folder, from two writers, 300 times: every create lands', async () => {
    const store = await resolvePath(`file://${mkdtempSync(path.join(os.tmpdir(), 'statestore-prune-'))}/store`);
    const folder = store.join('.statestore', 'leases');
    const failures: string[] = [];
    const writer = async (name: string) => {
      for (let i = 0; i < 300; i++) {
        try {
          await folder.join(name).createFile(`${i}`);
          await folder.join(name).remove();
        } catch (e) {
          failures.push(`${name} ${i}: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all([writer('a'), writer('b')]);
    expect(failures).toEqual([]);
  });
});
