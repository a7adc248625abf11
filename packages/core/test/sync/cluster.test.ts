/** exportCluster, diffStores and migrateCluster against memfs and file stores. */
import { describe, expect, it } from 'vitest';
import { isInvalidConfig, resolvePath, type VfsPath } from '../../src/index.js';
import { diffStores, exportCluster, migrateCluster } from '../../src/sync-entry.js';
import { openQuery, queryRegistry } from '../query-url-plugin.js';
import { CLUSTER, clusterConfig, writeCluster } from './cluster-fixture.js';
import { memfsRoot, tempDir, treeHashes } from './helpers.js';

async function fileStore(): Promise<VfsPath> {
  return resolvePath(`file://${tempDir('store')}/state`);
}

describe('migrateCluster', () => {
  it('copies the cluster, rewrites configBase and keeps every other byte, verified by hash, source untouched', async () => {
    const store = await memfsRoot();
    const to = await fileStore();
    const oldBase = store.join(CLUSTER).toString();
    const config = clusterConfig(oldBase);
    const files = await writeCluster(store, config);
    const before = await treeHashes(store);

    const result = await migrateCluster(store, CLUSTER, to);

    expect(result.complete).toBe(true);
    expect(result.sync.errors).toEqual([]);
    expect(result.verified).toBe(Object.keys(files).length);
    expect(result.mismatches).toEqual([]);
    const newBase = to.join(CLUSTER).toString();
    expect(newBase.startsWith('/')).toBe(true); // kops's bare-path form for a local store
    expect(result.rewrites).toEqual([{ field: 'spec.configBase', from: oldBase, to: newBase }]);
    // exactly the configBase value changed, nothing else (comment, quoting, layout kept)
    expect(await to.join(CLUSTER, 'config').readText()).toBe(config.replace(`configBase: ${oldBase}   #`, `configBase: ${newBase}   #`));
    const moved = await treeHashes(to.join(CLUSTER));
    const original = await treeHashes(store.join(CLUSTER));
    expect(Object.keys(moved)).toEqual(Object.keys(original));
    for (const key of Object.keys(original)) if (key !== 'config') expect(moved[key], key).toBe(original[key]);
    expect(await treeHashes(store)).toEqual(before);
    expect(result.warnings.join("\n")).toMatch(/Files kops generates \(cluster-completed\.spec, igconfig\/\) still name /);
    expect(result.warnings.join('\n')).toMatch(/kops update cluster minimal\.example\.com --yes/);
    expect(result.warnings.join('\n')).toMatch(/left untouched/);
  });

  it('rewrites keyStore/secretStore that point into the old folder and leaves others, with a warning', async () => {
    const store = await memfsRoot();
    const to = await memfsRoot();
    const oldBase = store.join(CLUSTER).toString();
    const config = clusterConfig(oldBase, `  keyStore: ${oldBase}/pki\n  secretStore: "vault://vault.example.com:8200/secret/x"\n`);
    await writeCluster(store, config);
    const result = await migrateCluster(store, CLUSTER, to);
    const newBase = to.join(CLUSTER).toString();
    expect(result.rewrites.map((r) => `${r.field}=${r.to}`)).toEqual([`spec.configBase=${newBase}`, `spec.keyStore=${newBase}/pki`]);
    expect(await to.join(CLUSTER, 'config').readText()).toBe(
      config.replace(`configBase: ${oldBase} `, `configBase: ${newBase} `).replace(`keyStore: ${oldBase}/pki`, `keyStore: ${newBase}/pki`),
    );
    expect(result.warnings.some((w) => w.startsWith('spec.secretStore is vault://'))).toBe(true);
    expect(result.complete).toBe(true);
  });

  it('a target URL that ends in a query keeps it at the end of every rewritten field, whatever the scheme', async () => {
    const store = await memfsRoot();
    const oldBase = store.join(CLUSTER).toString();
    await writeCluster(store, clusterConfig(oldBase, `  keyStore: ${oldBase}/pki\n  secretStore: ${oldBase}/secrets\n`));
    const to = await openQuery('qs://elsewhere/state?opt=1', queryRegistry('qs'));
    const result = await migrateCluster(store, CLUSTER, to);
    expect(result.rewrites.map((r) => `${r.field}=${r.to}`)).toEqual([
      `spec.configBase=qs://elsewhere/state/${CLUSTER}?opt=1`,
      `spec.keyStore=qs://elsewhere/state/${CLUSTER}/pki?opt=1`,
      `spec.secretStore=qs://elsewhere/state/${CLUSTER}/secrets?opt=1`,
    ]);
    expect(result.complete).toBe(true);
  });

  it('refuses vault:// as the target before copying anything (Vault never holds cluster configuration)', async () => {
    const store = await memfsRoot();
    await writeCluster(store, clusterConfig(store.join(CLUSTER).toString()));
    const vault = await openQuery('vault://127.0.0.1:8200/kv/kops?opt=1', queryRegistry('vault'));
    for (const run of [() => migrateCluster(store, CLUSTER, vault), () => exportCluster(store, CLUSTER, vault)]) {
      const e = await run().then(
        () => undefined,
        (error: Error) => error,
      );
      expect(isInvalidConfig(e)).toBe(true);
      expect(e?.message).toMatch(/cannot be where (migrate|export) writes a cluster \(--to\): vault:\/\/ holds a cluster's secrets and keys only/);
    }
    expect(await vault.readTree()).toEqual([]);
  });

  it('leaves a config without configBase byte-identical (kops derives it from the store)', async () => {
    const store = await memfsRoot();
    const to = await memfsRoot();
    const config = clusterConfig('x').replace(/ {2}configBase: .*\n/, '');
    await writeCluster(store, config);
    const result = await migrateCluster(store, CLUSTER, to);
    expect(result.rewrites).toEqual([]);
    expect(await to.join(CLUSTER, 'config').readText()).toBe(config);
  });

  it('resumes: a second run after a complete one copies nothing and verifies again', async () => {
    const store = await memfsRoot();
    const to = await fileStore();
    await writeCluster(store, clusterConfig(store.join(CLUSTER).toString()));
    await migrateCluster(store, CLUSTER, to);
    const again = await migrateCluster(store, CLUSTER, to);
    expect(again.sync.copied).toBe(0);
    expect(again.complete).toBe(true);
  });

  it('refuses to overwrite a different cluster of the same name, and a missing cluster', async () => {
    const store = await memfsRoot();
    const to = await memfsRoot();
    await writeCluster(store, clusterConfig(store.join(CLUSTER).toString()));
    await to.join(CLUSTER, 'config').writeFile(clusterConfig('s3://somewhere/else'));
    await expect(migrateCluster(store, CLUSTER, to)).rejects.toThrow(/A different cluster minimal\.example\.com already exists/);
    expect(await to.join(CLUSTER).readTree()).toHaveLength(1);
    await expect(migrateCluster(store, 'nope.example.com', to)).rejects.toThrow(/No cluster nope\.example\.com/);
  });
});

describe('exportCluster and diffStores', () => {
  it('exports for review without backups, then diffs a reviewed edit field by field', async () => {
    const store = await memfsRoot();
    const review = await fileStore();
    const base = store.join(CLUSTER).toString();
    await writeCluster(store, clusterConfig(base));
    const summary = await exportCluster(store, CLUSTER, review);
    expect(summary.errors).toEqual([]);
    const exported = await treeHashes(review.join(CLUSTER));
    expect(Object.keys(exported).some((k) => k.startsWith('backups/'))).toBe(false);
    expect(exported.config).toBe((await treeHashes(store.join(CLUSTER))).config);

    // the reviewer edits the copy
    const edited = clusterConfig(base)
      .replace("kubernetesVersion: 'v1.30.0'", 'kubernetesVersion: v1.31.0')
      .replace('  subnets:\n', '  subnets:\n  - cidr: 172.20.64.0/19\n    name: us-test-1b\n    type: Public\n    zone: us-test-1b\n');
    await review.join(CLUSTER, 'config').writeFile(edited);
    await review.join(CLUSTER, 'instancegroup/nodes-us-test-1b').writeFile('kind: InstanceGroup\n');
    await review.join(CLUSTER, 'secrets/admin').writeFile('{"Data":"c2VjcmV0"}');

    const diff = await diffStores(store.join(CLUSTER), review.join(CLUSTER), { filter: (k) => !k.startsWith('backups/') });
    expect(diff.added).toEqual(['instancegroup/nodes-us-test-1b']);
    expect(diff.removed).toEqual([]);
    expect(diff.changed.map((c) => c.key)).toEqual(['config', 'secrets/admin']);
    const config = diff.changed[0]!;
    expect(config.objects).toEqual([
      {
        object: `Cluster/${CLUSTER}`,
        kind: 'changed',
        changes: [
          { path: 'spec.kubernetesVersion', kind: 'changed', from: 'v1.30.0', to: 'v1.31.0' },
          { path: 'spec.subnets[name=us-test-1b]', kind: 'added', to: { cidr: '172.20.64.0/19', name: 'us-test-1b', type: 'Public', zone: 'us-test-1b' } },
        ],
      },
    ]);
    // secrets are never diffed by value
    expect(diff.changed[1]!.objects).toBeUndefined();
    expect(diff.unchanged).toBe(6);
  });

  it('brings what a dry run reads from a configBase outside the cluster folder, and nothing when configBase is the folder', async () => {
    const store = await memfsRoot();
    const production = await memfsRoot();
    const configBase = production.join('moved', CLUSTER);
    await writeCluster(store, clusterConfig(configBase.toString()));
    await store.join(CLUSTER, 'cluster-completed.spec').remove();
    await configBase.join('cluster-completed.spec').writeFile('kind: Cluster # completed at configBase\n');
    const review = await fileStore();
    const result = await exportCluster(store, CLUSTER, review);
    expect(result.errors).toEqual([]);
    expect(result.fromConfigBase).toEqual([{ from: configBase.join('cluster-completed.spec').toString(), to: review.join(CLUSTER, 'cluster-completed.spec').toString() }]);
    expect(await review.join(CLUSTER, 'cluster-completed.spec').readText()).toBe('kind: Cluster # completed at configBase\n');
    // configBase itself is not rewritten in the copy
    expect(await review.join(CLUSTER, 'config').readText()).toContain(`configBase: ${configBase.toString()}`);

    const usual = await memfsRoot();
    await writeCluster(usual, clusterConfig(usual.join(CLUSTER).toString()));
    expect((await exportCluster(usual, CLUSTER, await fileStore())).fromConfigBase).toEqual([]);
  });

  it('export of a missing cluster fails naming it', async () => {
    await expect(exportCluster(await memfsRoot(), 'nope.example.com', await memfsRoot())).rejects.toThrow(/No cluster nope\.example\.com/);
  });
});
