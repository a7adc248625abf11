/**
 * Listings at the driver: past several pages in key order (Secret names keep it), with the API server
 * answering metadata only (PartialObjectMetadataList: no file's data travels), one folder selected by its
 * label so that sibling stores, a sibling folder sharing a name prefix and other Secrets of the namespace
 * never appear, and "directories" derived from the files below.
 */
import { Observable, ResponseContext, type ObservableMiddleware } from '@kubernetes/client-node';
import { type ListPage } from '@statestore/core';
import { kubeRequest } from '@statestore/testkit/kube-apiserver';
import { seededRandom } from '@statestore/testkit/seeded-random';
import { describe, expect, it } from 'vitest';
import { K8sBackend, connectionFrom, createClient, type KubeClient } from '../src/index.js';
import { kube, newNamespace, openK8s } from './helpers.js';

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** What an API response held: its kind, and whether any object in it carried data. */
interface Answer {
  kind: string;
  withData: boolean;
}

/** A driver on the test user's connection that records every API response. */
function recordingBackend(namespace: string): { backend: K8sBackend; answers: Answer[] } {
  const answers: Answer[] = [];
  const client = async (): Promise<KubeClient> => {
    const real = await createClient(connectionFrom({ KUBECONFIG: kube().kubeconfig }));
    const record: ObservableMiddleware = {
      pre: (request) => new Observable(Promise.resolve(request)),
      post: (response) =>
        new Observable(
          response.body.text().then((body) => {
            const parsed = JSON.parse(body) as { kind: string; data?: unknown; items?: { data?: unknown }[] | null };
            answers.push({ kind: parsed.kind, withData: parsed.data !== undefined || (parsed.items ?? []).some((i) => i.data !== undefined) });
            return new ResponseContext(response.httpStatusCode, response.headers, { text: async () => body, binary: async () => Buffer.from(body) });
          }),
        ),
    };
    return {
      ...real,
      callOptions: (signal, accept) => {
        const options = real.callOptions(signal, accept);
        return { ...options, middleware: [...(options.middleware ?? []), record] };
      },
    };
  };
  return { backend: new K8sBackend({ namespace, client, timeoutMs: 60_000 }), answers };
}

async function listAll(backend: K8sBackend, prefix: string, options: { delimiter?: '/'; pageSize: number }): Promise<{ pages: ListPage[] }> {
  const pages: ListPage[] = [];
  let pageToken: string | undefined;
  do {
    const page = await backend.list(prefix, { ...options, ...(pageToken ? { pageToken } : {}) });
    pages.push(page);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { pages };
}

describe('listing', () => {
  it('lists a folder past several pages in key order, metadata only, and nothing outside it', async () => {
    const namespace = await newNamespace('pages');
    const names = ['config', 'a', 'B', 'z9', 'z10', 'ключ', '鍵', 'with space', 'é', 'e', 'Zed', '0', '~tilde', 'a.b', 'a-b', 'a_b'];
    const inside = [...names.map((n) => `store/${n}`), ...Array.from({ length: 14 }, (_, i) => `store/sub/${i}`), 'store/sub2/x'];
    const outside = ['other/config', 'storefront/config', 'stor', 'store'];
    const random = seededRandom(26);
    const shuffled = [...inside, ...outside].map((k) => [random(), k] as const).sort((x, y) => x[0] - y[0]).map(([, k]) => k);
    const store = await openK8s(`k8s://${namespace}/`);
    for (const key of shuffled) await store.join(key).writeFile(`${key}: ${'x'.repeat(1000)}`);
    // Another application's Secret in the same namespace.
    const foreign = await kubeRequest(kube(), kube().tokens.admin, 'POST', `/api/v1/namespaces/${namespace}/secrets`, {
      metadata: { name: 'someone-elses', labels: { 'app.kubernetes.io/managed-by': 'statestore' } },
      stringData: { password: 'not a file' },
    });
    expect(foreign.status).toBe(201);

    const { backend, answers } = recordingBackend(namespace);
    const { pages } = await listAll(backend, 'store/', { pageSize: 4 });
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(inside.length / 4));
    const listed = pages.flatMap((p) => p.objects.map((o) => o.key));
    expect(listed).toEqual([...inside].sort(byteOrder));
    for (const o of pages.flatMap((p) => p.objects)) {
      expect(o.size).toBe(Buffer.byteLength(`${o.key}: ${'x'.repeat(1000)}`));
      expect(o.hashes?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(o.modified).toBeInstanceOf(Date);
    }
    expect(answers).toEqual(pages.map(() => ({ kind: 'PartialObjectMetadataList', withData: false })));
    // A stat is metadata only too; a read brings the data.
    await backend.stat('store/config');
    await backend.read('store/config');
    expect(answers.slice(-2)).toEqual([
      { kind: 'PartialObjectMetadata', withData: false },
      { kind: 'Secret', withData: true },
    ]);

    const whole = await listAll(backend, '', { pageSize: 7 });
    expect(whole.pages.flatMap((p) => p.objects.map((o) => o.key))).toEqual([...inside, ...outside].sort(byteOrder));
  });

  it('derives one level ("directories") from the files below, across pages, in key order', async () => {
    const namespace = await newNamespace('dirs');
    const store = await openK8s(`k8s://${namespace}/s`);
    const files = ['c.example.com/config', 'c.example.com/instancegroup/nodes', 'c.example.com/pki/issued/ca/keyset.yaml', 'a.example.com/config', 'top', 'zz/deep/er'];
    for (const key of files) await store.join(key).writeFile(key);
    const { backend } = recordingBackend(namespace);
    const { pages } = await listAll(backend, 's/', { delimiter: '/', pageSize: 2 });
    expect(pages.flatMap((p) => p.objects.map((o) => o.key))).toEqual(['s/top']);
    expect([...new Set(pages.flatMap((p) => p.prefixes))]).toEqual(['s/a.example.com/', 's/c.example.com/', 's/zz/']);
    const entries = (await (await openK8s(`k8s://${namespace}/s/c.example.com`, { listPageSize: 1 })).readDir()).map((e) => [e.name, e.isDirectory]);
    expect(entries).toEqual([
      ['config', false],
      ['instancegroup', true],
      ['pki', true],
    ]);
  });

});
