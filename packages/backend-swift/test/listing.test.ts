/**
 * Listing and containers against the real Swift: readDir at the container root lists direct children only
 * (kops listed the whole container there), marker pagination with prefix and delimiter, versions and md5
 * that agree between listing and stat, and what a missing container does.
 */
import { createHash } from 'node:crypto';
import { isNotFound } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { createContainer, newContainer, openSwift } from './helpers.js';

describe('listing', () => {
  it('readDir at the container root lists direct children only; readTree lists everything', async () => {
    const container = newContainer('list');
    const root = await openSwift(`swift://${container}`);
    for (const k of ['config', 'a/b', 'a/c/d', 'z']) await root.join(k).writeFile(k);
    expect(root.toString()).toBe(`swift://${container}/`);
    expect((await root.readDir()).map((e) => [e.name, e.isDirectory])).toEqual([
      ['a', true],
      ['config', false],
      ['z', false],
    ]);
    expect((await root.readTree()).map((p) => p.key).sort()).toEqual(['a/b', 'a/c/d', 'config', 'z']);
  });

  it('pages with marker, prefix and delimiter; a "directory" that ends a page is not repeated', async () => {
    const container = newContainer('list');
    const root = await openSwift(`swift://${container}/`);
    for (const k of ['p/a/1', 'p/a/2', 'p/b', 'p/c/1', 'p/d', 'q']) await root.join(k).writeFile(k);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await root.backend.list('p/', { delimiter: '/', pageSize: 1, ...(pageToken ? { pageToken } : {}) });
      seen.push(...page.prefixes, ...page.objects.map((o) => o.key));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken);
    expect(seen).toEqual(['p/a/', 'p/b', 'p/c/', 'p/d']);
    expect(pages).toBeGreaterThanOrEqual(4);
    const flat = await root.backend.list('p/', { pageSize: 10 });
    expect(flat.objects.map((o) => o.key)).toEqual(['p/a/1', 'p/a/2', 'p/b', 'p/c/1', 'p/d']);
    expect(flat.nextPageToken).toBeUndefined();
  });

  it('listing and stat agree on size, version and md5', async () => {
    const container = newContainer('list');
    const f = await openSwift(`swift://${container}/dir/file.yaml`);
    const written = await f.writeFile('kind: Cluster\n');
    const [listed] = (await f.parent()!.readDir()).map((e) => e.path.listed!);
    const stat = await f.stat();
    expect(listed!.version).toBe(stat.version);
    expect(written.version).toBe(stat.version);
    expect(listed!.size).toBe(14);
    expect(listed!.hashes?.md5).toBe(createHash('md5').update('kind: Cluster\n').digest('hex'));
    expect(stat.hash).toBe(`sha256:${createHash('sha256').update('kind: Cluster\n').digest('hex')}`);
  });
});

describe('containers', () => {
  it('a missing container: list and read are NotFound naming it; stat says absent', async () => {
    const container = newContainer('missing');
    const f = await openSwift(`swift://${container}/cluster/config`);
    for (const op of [() => f.readFile(), () => f.parent()!.readDir(), () => f.parent()!.readTree()]) {
      const e = await op().catch((error: unknown) => error);
      expect(isNotFound(e)).toBe(true);
      expect((e as Error).message).toContain(`Container ${container} does not exist`);
    }
    expect(await f.exists()).toBe(false);
  });

  it('writeFile and createFile into a missing container create it', async () => {
    const a = await openSwift(`swift://${newContainer('new')}/config`);
    await a.writeFile('one');
    expect(await a.readText()).toBe('one');
    const b = await openSwift(`swift://${newContainer('new')}/cluster/config`);
    await b.createFile('two');
    expect(await b.readText()).toBe('two');
  });

  it('a missing file in an existing container is NotFound naming the file', async () => {
    const container = newContainer('exists');
    await createContainer(container);
    const f = await openSwift(`swift://${container}/nope`);
    const e = await f.readFile().catch((error: unknown) => error);
    expect(isNotFound(e)).toBe(true);
    expect((e as Error).message).toContain(`swift://${container}/nope`);
    expect((e as Error).message).not.toContain('does not exist');
  });
});
