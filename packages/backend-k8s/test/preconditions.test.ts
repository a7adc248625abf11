/**
 * What the API server decides atomically, at the driver: create is a POST (one winner among 16, the others
 * AlreadyExists), compare-and-swap a PUT with the resourceVersion read (stale → PreconditionFailed, also when
 * the file was removed meanwhile), conditional delete a DELETE with preconditions; and 16 read-modify-write
 * writers, each with its own driver and client (as separate processes would be), all kept.
 */
import { randomUUID } from 'node:crypto';
import { isAlreadyExists, isNotFound, isPreconditionFailed, pathForBackend } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { K8sBackend, connectionFrom, createClient } from '../src/index.js';
import { kube, newNamespace, openK8s, text } from './helpers.js';

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

describe('preconditions', () => {
  it('16 concurrent creates of one key: exactly one wins, the rest are AlreadyExists, the winner\'s bytes stay', async () => {
    const namespace = await newNamespace('race');
    const backend = (await openK8s(`k8s://${namespace}/`)).backend;
    const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => backend.write('cluster/config', text(`writer ${i}`), { ifNoneMatch: '*' })));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isAlreadyExists(r.reason), String(r.reason)).toBe(true);
    expect(await (await openK8s(`k8s://${namespace}/cluster/config`)).readText()).toBe(`writer ${winners[0]}`);
  });

  it('a stale compare-and-swap loses, also when the file was removed since it was read; the current version wins', async () => {
    const namespace = await newNamespace('cas');
    const backend = (await openK8s(`k8s://${namespace}/`)).backend;
    const v1 = await backend.write('f', text('v1'));
    const v2 = await backend.write('f', text('v2'), { ifMatch: v1.version });
    expect(v2.version).not.toBe(v1.version);
    const stale = await backend.write('f', text('v3'), { ifMatch: v1.version }).catch((e: unknown) => e);
    expect(isPreconditionFailed(stale)).toBe(true);
    expect((await backend.stat('f'))?.version).toBe(v2.version);
    await backend.delete('f');
    const gone = await backend.write('f', text('v4'), { ifMatch: v2.version }).catch((e: unknown) => e);
    expect(isPreconditionFailed(gone)).toBe(true);
    expect(await backend.stat('f')).toBeUndefined();
  });

  it('conditional delete: a stale version keeps the file, the current one removes it, a missing file is NotFound', async () => {
    const namespace = await newNamespace('delete');
    const backend = (await openK8s(`k8s://${namespace}/`)).backend;
    const first = await backend.write('f', text('1'));
    const second = await backend.write('f', text('2'));
    expect(isPreconditionFailed(await backend.delete('f', { ifMatch: first.version }).catch((e: unknown) => e))).toBe(true);
    expect((await backend.stat('f'))?.size).toBe(1);
    await backend.delete('f', { ifMatch: second.version });
    expect(await backend.stat('f')).toBeUndefined();
    expect(isNotFound(await backend.delete('f', { ifMatch: second.version }).catch((e: unknown) => e))).toBe(true);
    await backend.delete('f'); // unconditional: quiet
  });

  it('16 updateFile writers, each with its own driver and API client, keep every update', async () => {
    const namespace = await newNamespace('writers');
    const key = `counter-${randomUUID()}.json`;
    const connection = connectionFrom({ KUBECONFIG: kube().kubeconfig });
    const writers = Array.from({ length: 16 }, () => new K8sBackend({ namespace, client: () => createClient(connection), timeoutMs: 60_000 }));
    await Promise.all(
      writers.map((backend, i) =>
        pathForBackend(backend, key).updateFile((current) => JSON.stringify([...(current ? (JSON.parse(decode(current)) as number[]) : []), i])),
      ),
    );
    const final = JSON.parse(await (await openK8s(`k8s://${namespace}/${key}`)).readText()) as number[];
    expect([...final].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });
});

describe('version tokens that no API server issued', () => {
  it('an empty or non-numeric token never matches: PreconditionFailed for writes and deletes, the file untouched', async () => {
    const namespace = await newNamespace('tokens');
    const backend = (await openK8s(`k8s://${namespace}/`)).backend;
    const written = await backend.write('f', text('kept'));
    for (const token of ['', 'abc', '"123"', `${written.version} `]) {
      const write = await backend.write('f', text('replaced'), { ifMatch: token }).catch((e: unknown) => e);
      expect(isPreconditionFailed(write), `write with ${JSON.stringify(token)}: ${String(write)}`).toBe(true);
      const remove = await backend.delete('f', { ifMatch: token }).catch((e: unknown) => e);
      expect(isPreconditionFailed(remove), `delete with ${JSON.stringify(token)}: ${String(remove)}`).toBe(true);
    }
    expect((await backend.stat('f'))?.version).toBe(written.version);
    expect(await (await openK8s(`k8s://${namespace}/f`)).readText()).toBe('kept');
  });
});
