/**
 * A listing whose page token has expired: etcd compacted past the token's revision and the API server
 * restarted (so no cache still holds it), as happens to a long listing on a busy cluster. The API server
 * answers 410 with a token that resumes after the same key; the driver hands that on as the next page token,
 * so the listing completes, in key order, without starting over. Runs its own kube-apiserver (it restarts it).
 */
import { startKubeApiserver, type RunningKubeApiserver } from '@statestore/testkit/kube-apiserver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openK8s } from './helpers.js';

let server: RunningKubeApiserver;
beforeAll(async () => {
  server = await startKubeApiserver({ namespace: 'expiry' });
}, 180_000);
afterAll(async () => {
  await server?.stop();
});

/** Compacts etcd's history up to its current revision (etcd's JSON gateway). */
async function compactEtcd(): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.etcdEndpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { header: { revision: string } };
  };
  const { header } = await post('/v3/kv/range', { key: Buffer.from('/registry/').toString('base64') });
  await post('/v3/kv/compaction', { revision: header.revision, physical: true });
}

describe('an expired listing', () => {
  it('resumes after the last key listed when the API server says its token is too old', async () => {
    const store = await openK8s(`k8s://${server.namespace}/`, { env: { KUBECONFIG: server.kubeconfig } });
    const keys = Array.from({ length: 12 }, (_, i) => `c/f${String(i).padStart(2, '0')}`);
    for (const key of keys) await store.join(key).writeFile(key);
    const backend = store.backend;

    const first = await backend.list('c/', { pageSize: 5 });
    expect(first.objects.map((o) => o.key)).toEqual(keys.slice(0, 5));
    await store.join('c/f99').writeFile('written after the first page');
    await compactEtcd();
    await server.restartApiserver();

    const resumed = await backend.list('c/', { pageSize: 5, pageToken: first.nextPageToken! });
    expect(resumed.objects).toEqual([]);
    expect(resumed.nextPageToken).toBeTruthy();
    const rest: string[] = [];
    let pageToken: string | undefined = resumed.nextPageToken;
    while (pageToken) {
      const page = await backend.list('c/', { pageSize: 5, pageToken });
      rest.push(...page.objects.map((o) => o.key));
      pageToken = page.nextPageToken;
    }
    expect(rest).toEqual([...keys.slice(5), 'c/f99']);
  });
});
