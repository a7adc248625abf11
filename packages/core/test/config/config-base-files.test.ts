/**
 * Where configBase-relative files are read from: at configBase, joined by its backend (a query stays at
 * the end, whatever the scheme); in a local review copy whose configBase is elsewhere, from the copy's
 * cluster folder, without opening configBase at all.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configBaseFolder } from '../../src/config/config-base-files.js';
import { resolvePath } from '../../src/resolve.js';
import { openQuery, queryRegistry } from '../query-url-plugin.js';

const CLUSTER = 'review.example.com';
const neverOpened = (url: string): Promise<never> => Promise.reject(new Error(`opened ${url}`));

describe('configBaseFolder', () => {
  it('reads at configBase on a shared store, with the file joined before a query', async () => {
    const registry = queryRegistry('qs');
    const store = await openQuery('qs://state/root?opt=1', registry);
    const found = await configBaseFolder(store, CLUSTER, `qs://state/root/${CLUSTER}?opt=1`, (url) => openQuery(url, registry));
    expect(found.copyOf).toBeUndefined();
    expect(found.folder.join('cluster-completed.spec').toString()).toBe(`qs://state/root/${CLUSTER}/cluster-completed.spec?opt=1`);
  });

  it('reads from a local copy whose configBase points elsewhere, and never opens that configBase', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'statestore-review-'));
    const copy = await resolvePath(`file://${dir}`);
    const found = await configBaseFolder(copy, CLUSTER, `s3://production-state/${CLUSTER}`, neverOpened);
    expect(found).toMatchObject({ copyOf: `s3://production-state/${CLUSTER}` });
    expect(found.folder.toString()).toBe(`${dir}/${CLUSTER}`);
    const elsewhereOnDisk = await configBaseFolder(copy, CLUSTER, `/srv/old-state/${CLUSTER}`, neverOpened);
    expect(elsewhereOnDisk.folder.toString()).toBe(`${dir}/${CLUSTER}`);
  });

  it('reads at configBase when a local store holds it itself', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'statestore-review-'));
    const store = await resolvePath(dir);
    const found = await configBaseFolder(store, CLUSTER, `${dir}/${CLUSTER}`, (url) => resolvePath(url));
    expect(found.copyOf).toBeUndefined();
    expect(found.folder.toString()).toBe(`${dir}/${CLUSTER}`);
  });
});
