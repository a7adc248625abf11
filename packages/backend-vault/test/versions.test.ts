/**
 * Native versions of one secret on OpenBao's KV v2: `listVersions` gives every version newest first, a
 * soft-deleted one as a deletion; `readVersion` reads each live one and refuses a deleted one (NotFound). Through
 * the library, the secret's history shows a version written around Statestore (as kops writes: straight to
 * `<mount>/data/…`) at the time the server stored it, and Statestore's own versions once, with their attribution.
 */
import { Operation, collect, readHistory, type VfsPath } from '@statestore/core';
import { describe, expect, inject, it } from 'vitest';
import { freshRoot, rawOk } from './helpers.js';

const server = inject('openbao');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const text = async (root: VfsPath, key: string, versionId: string) => Buffer.from(await collect((await root.backend.readVersion!(key, versionId)).body)).toString();

describe('KV v2 versions of one secret', () => {
  it('lists and reads every version, a deleted one as a deletion', async () => {
    const root = await freshRoot(server);
    const file = root.join('c', 'secrets', 'admin');
    expect(root.backend.capabilities.versions).toBe(true);
    await file.writeFile('one');
    await file.writeFile('two');
    await rawOk(server, 'DELETE', `secret/data/${file.key}`); // soft-deletes version 2
    await rawOk(server, 'POST', `secret/data/${file.key}`, { data: { file: b64('three, written around Statestore') } });

    const versions = await root.backend.listVersions!(file.key);
    expect(versions.map((v) => [v.versionId, v.deleted === true, v.latest])).toEqual([
      ['3', false, true],
      ['2', true, false],
      ['1', false, false],
    ]);
    expect(versions[0]!.version).toBe((await file.stat()).version);
    expect(await text(root, file.key, '3')).toBe('three, written around Statestore');
    expect(await text(root, file.key, '1')).toBe('one');
    await expect(root.backend.readVersion!(file.key, '2')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(root.backend.readVersion!(file.key, '9')).rejects.toMatchObject({ code: 'NotFound' });
    expect(await root.backend.listVersions!(root.join('c', 'secrets', 'none').key)).toEqual([]);
  });

  it("the secret's history: Statestore's versions with their attribution, a write around Statestore at the server's time", async () => {
    const root = await freshRoot(server);
    const write = (who: string, content: string) => new Operation(root, { attribution: { user: who, message: `${who} wrote` } }).track(root).join('c', 'secrets', 'admin').writeFile(content);
    await write('alice', 'one');
    await write('bob', 'two');
    const key = root.join('c', 'secrets', 'admin').key;
    await rawOk(server, 'POST', `secret/data/${key}`, { data: { file: b64('three') } });
    const stored = (await rawOk(server, 'GET', `secret/metadata/${key}`)).data.versions['3'].created_time as string;

    const view = await readHistory(root, 'c', { limit: 0 });
    expect(view.native).toEqual({ read: true });
    expect(view.revisions.map((r) => [r.kind, r.attribution?.user ?? null, r.native?.map((v) => v.versionId)])).toEqual([
      ['outside', null, ['3']],
      ['statestore', 'bob', ['2']],
      ['statestore', 'alice', ['1']],
    ]);
    expect(Date.parse(view.revisions[0]!.time)).toBe(Date.parse(stored));
    expect(view.unrecorded).toEqual([]);
  });
});
