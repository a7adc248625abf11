/**
 * Regression tests named after the kops VFS weaknesses (shared/reference/kops-vfs.md §10) that concern
 * the object-store backends, run against their real servers.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isNotFound, resolvePath, type VfsPath } from '@statestore/core';
import { ClusterRegistry } from '@statestore/core/config';
import { runCli } from './support/cli.js';
import { cliEnv, freshStoreUrl, type ConfigStore } from './support/stores.js';

const OBJECT_STORES: ConfigStore[] = ['s3', 'gs', 'oss', 'swift'];

async function openStore(store: ConfigStore): Promise<VfsPath> {
  return resolvePath(await freshStoreUrl(store, '/tmp'), { env: cliEnv(store) });
}

describe.each(OBJECT_STORES)('kops VFS weaknesses on %s', (store) => {
  it('weakness 6: ReadDir at the bucket/container root lists nothing (GCS, OSS) or everything recursively (Swift) — ours lists direct children', async () => {
    const root = await openStore(store);
    const bucketRoot = await resolvePath(root.toString().replace(/\/[^/]*$/, '/'), { env: cliEnv(store) });
    await root.join('deep', 'er', 'file').writeFile('x');
    const entries = await bucketRoot.readDir();
    expect(entries.map((e) => e.name)).toContain(root.base());
    for (const e of entries) expect(e.name.includes('/')).toBe(false);
    expect(entries.find((e) => e.name === root.base())?.isDirectory).toBe(true);
  });

  it('weakness 8: not-found mapping is inconsistent — missing files read as NotFound, remove quietly, and a missing bucket is NotFound naming it', async () => {
    const root = await openStore(store);
    const e = await root.join('missing').readFile().catch((x) => x);
    expect(isNotFound(e), String(e)).toBe(true);
    const started = Date.now();
    await root.join('missing').remove();
    expect(Date.now() - started).toBeLessThan(10_000); // kops retried GCS 404s five times with backoff
    const bucket = `no-such-${randomUUID().slice(0, 8)}`;
    const gone = await resolvePath(`${store}://${bucket}/x`, { env: cliEnv(store) });
    const missing = await gone.readFile().catch((x) => x);
    expect(isNotFound(missing), String(missing)).toBe(true);
    expect(missing.message).toContain(bucket);
  });

  it('weakness 11: RemoveAll does not remove the path itself — ours removes the file at the path, and everything below a folder, and nothing beside', async () => {
    const root = await openStore(store);
    await root.join('c', 'config').writeFile('x');
    await root.join('c', 'pki', 'ca').writeFile('x');
    await root.join('c2', 'config').writeFile('y');
    await root.join('file').writeFile('z');
    await root.join('c').removeAll();
    await root.join('file').removeAll();
    expect((await root.readTree()).map((p) => p.relativeTo(root))).toEqual(['c2/config']);
  });

  it('weakness 3: the IfExists write is a read-then-write race — an update whose cluster is deleted meanwhile fails, and never resurrects it', async () => {
    const url = await freshStoreUrl(store, '/tmp');
    const env = cliEnv(store);
    expect((await runCli(['create', 'cluster', 'gone.k8s.local', '--zones', 'us-east-1a', '--cloud', 'aws', '--state', url], env)).code).toBe(0);
    const registry = new ClusterRegistry(await resolvePath(url, { env }));
    const config = (await resolvePath(url, { env })).join('gone.k8s.local', 'config');
    let first = true;
    const e = await registry
      .updateCluster('gone.k8s.local', async (doc) => {
        if (first) {
          first = false;
          await config.remove(); // another operator deletes the cluster between our read and our write
        }
        doc.setIn(['spec', 'kubernetesVersion'], '1.99.0');
      })
      .catch((x) => x);
    expect(isNotFound(e), String(e)).toBe(true);
    expect(await config.exists()).toBe(false);
  });
});
