/**
 * What is specific to Azure, checked against Azurite through a recording proxy so the tests see what
 * went over the wire: native preconditions, block uploads with Content-MD5, SDK retries off, Blob Batch,
 * Copy Blob, containers created on demand, and the credential forms.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, BlobServiceClient, StorageSharedKeyCredential, generateAccountSASQueryParameters } from '@azure/storage-blob';
import { isAlreadyExists, isConflict, isNotFound, isPermissionDenied, isPreconditionFailed, isTransient, type VfsPath } from '@statestore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SIZE } from '../src/upload.js';
import { azurite, newContainer, open } from './harness.js';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

const md5 = (data: Uint8Array | string) => createHash('md5').update(data).digest('hex');
const text = (s: string) => new TextEncoder().encode(s);

let proxy: RecordingProxy;
let container: string;

beforeAll(async () => {
  proxy = await startRecordingProxy(azurite().address);
  container = await newContainer();
});
afterAll(async () => {
  await proxy?.stop();
});

/** Opens a URL so that its requests go through the recording proxy. */
function viaProxy(url: string): Promise<VfsPath> {
  return open(url, { env: { AZURE_STORAGE_KEY: azurite().accountKey, AZUREBLOB_ENDPOINT: `${proxy.address}/{account}` } });
}

async function freshRoot(): Promise<VfsPath> {
  return viaProxy(`${container}t-${randomUUID()}`);
}

/** The requests made while `fn` ran. */
async function recorded(fn: () => Promise<unknown>): Promise<typeof proxy.requests> {
  const before = proxy.requests.length;
  await fn();
  return proxy.requests.slice(before);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection, but it succeeded');
}

/** A body delivered as a stream of 1 MiB chunks. */
async function* streamOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += 1024 * 1024) yield bytes.subarray(i, i + 1024 * 1024);
}

const pattern = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) & 0xff);

describe('native preconditions', () => {
  it('createFile is one Put Blob with If-None-Match: *, and the loser gets AlreadyExists', async () => {
    const f = (await freshRoot()).join('config');
    const first = await recorded(() => f.createFile('one'));
    expect(first.map((r) => [r.method, r.headers['if-none-match']])).toEqual([['PUT', '*']]);
    const second = await recorded(async () => expect(isAlreadyExists(await rejection(f.createFile('two')))).toBe(true));
    expect(second.map((r) => [r.method, r.headers['if-none-match']])).toEqual([['PUT', '*']]);
    expect(await f.readText()).toBe('one');
  });

  it('updateFile reads, then writes with If-Match: <the ETag read>; a stale ETag is PreconditionFailed', async () => {
    const f = (await freshRoot()).join('counter');
    const written = await f.writeFile('1');
    const requests = await recorded(() => f.updateFile((cur) => `${Number(new TextDecoder().decode(cur)) + 1}`));
    expect(requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(requests[1]!.headers['if-match']).toBe(written.version);
    expect(await f.readText()).toBe('2');
    const stale = await rejection(f.backend.write(f.key, text('3'), { ifMatch: written.version }));
    expect(isPreconditionFailed(stale)).toBe(true);
    expect(stale.message).toContain(f.toString());
  });

  it('a conditional delete sends If-Match, and a stale one leaves the file', async () => {
    const f = (await freshRoot()).join('gone');
    const old = await f.writeFile('a');
    const current = await f.writeFile('b');
    expect(isPreconditionFailed(await rejection(f.remove({ ifMatch: old.version })))).toBe(true);
    expect(await f.readText()).toBe('b');
    const requests = await recorded(() => f.remove({ ifMatch: current.version }));
    expect(requests.map((r) => [r.method, r.headers['if-match']])).toEqual([['DELETE', current.version]]);
    expect(await f.exists()).toBe(false);
  });
});

describe('block uploads and Content-MD5', () => {
  it('a small write is one Put Blob whose Content-MD5 comes back in stat and in listings', async () => {
    const r = await freshRoot();
    const requests = await recorded(() => r.join('small').writeFile('hash me'));
    expect(requests.map((q) => [q.method, new URL(q.url, 'http://x').searchParams.get('comp')])).toEqual([['PUT', null]]);
    expect((await r.join('small').stat()).hash).toBe(`md5:${md5('hash me')}`);
    const [listed] = await r.readTree();
    expect(listed!.listed?.hashes?.md5).toBe(md5('hash me'));
  });

  it(`a stream larger than one block (${BLOCK_SIZE} bytes) is staged in blocks and committed with its MD5`, async () => {
    const f = (await freshRoot()).join('big.bin');
    const data = pattern(BLOCK_SIZE + 1024 * 1024 + 3, 1);
    const requests = await recorded(() => f.createFile(streamOf(data)));
    const comps = requests.map((q) => new URL(q.url, 'http://x').searchParams.get('comp'));
    expect(comps).toEqual(['block', 'block', 'blocklist']);
    expect(requests[2]!.headers['if-none-match']).toBe('*');
    expect(Buffer.compare(await f.readFile(), data)).toBe(0);
    expect((await f.stat()).hash).toBe(`md5:${md5(data)}`);
    expect(await f.hash('md5')).toBe(md5(data));
  });

  it('among concurrent streamed createFile calls, exactly one commit wins', async () => {
    const f = (await freshRoot()).join('race.bin');
    const bodies = Array.from({ length: 4 }, (_, i) => pattern(BLOCK_SIZE + 17, i));
    const results = await Promise.allSettled(bodies.map((b) => f.createFile(streamOf(b))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isAlreadyExists(r.reason), String(r.reason)).toBe(true);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect(Buffer.compare(await f.readFile(), bodies[winner]!)).toBe(0);
  });

  it('range reads stream only the bytes asked for, with the size of the whole blob', async () => {
    const f = (await freshRoot()).join('range');
    await f.writeFile('0123456789');
    const { info, body } = await f.backend.read(f.key, { range: { start: 3, end: 6 } });
    const chunks: Uint8Array[] = [];
    for await (const c of body) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('3456');
    expect(info.size).toBe(10);
    expect(info.hashes?.md5).toBe(md5('0123456789'));
  });
});

describe('retries are core\'s, not the SDK\'s', () => {
  it('a 503 reaches the driver\'s caller after one request, as TransientError; core\'s retry then succeeds', async () => {
    const f = (await freshRoot()).join('flaky');
    await f.writeFile('ok');
    proxy.failNext(503, 'ServerBusy');
    const once = await recorded(async () => expect(isTransient(await rejection(f.backend.stat(f.key)))).toBe(true));
    expect(once).toHaveLength(1);
    proxy.failNext(503, 'ServerBusy');
    const retried = await recorded(async () => expect(await f.readText()).toBe('ok'));
    expect(retried.map((r) => r.method)).toEqual(['GET', 'GET']);
  });
});

describe('deleteMany uses Blob Batch', () => {
  it('deletes 300 blobs in two batch requests; a missing key counts as deleted', async () => {
    const r = await freshRoot();
    const keys = Array.from({ length: 300 }, (_, i) => r.join('many', `f${i}`).key);
    const backend = r.backend;
    for (let i = 0; i < keys.length; i += 30) await Promise.all(keys.slice(i, i + 30).map((k) => backend.write(k, text(k))));
    const missing = r.join('many', 'not-there').key;
    let result;
    const requests = await recorded(async () => (result = await backend.deleteMany!([...keys, missing])));
    expect(result!.errors).toEqual([]);
    expect(result!.deleted).toHaveLength(301);
    expect(requests.map((q) => [q.method, new URL(q.url, 'http://x').searchParams.get('comp')])).toEqual([
      ['POST', 'batch'],
      ['POST', 'batch'],
    ]);
    expect(await r.join('many').readTree()).toEqual([]);
  });

  it('reports a blob it could not delete (leased) per key, and deletes the others', async () => {
    const r = await freshRoot();
    await r.join('leased').writeFile('x');
    await r.join('free').writeFile('y');
    const info = azurite();
    const sdk = new BlobServiceClient(info.endpoint, new StorageSharedKeyCredential(info.account, info.accountKey));
    const [, containerName] = /^azureblob:\/\/[^/]+\/([^/]+)\//.exec(r.toString())!;
    const lease = sdk.getContainerClient(containerName!).getBlobClient(r.join('leased').key).getBlobLeaseClient();
    await lease.acquireLease(-1);
    try {
      const result = await r.backend.deleteMany!([r.join('leased').key, r.join('free').key]);
      expect(result.deleted).toEqual([r.join('free').key]);
      expect(result.errors.map((e) => e.key)).toEqual([r.join('leased').key]);
      expect(isConflict(result.errors[0]!.error)).toBe(true);
      expect(result.errors[0]!.error.message).toContain(r.join('leased').toString());
    } finally {
      await lease.releaseLease();
    }
  });
});

describe('server-side copy (Copy Blob)', () => {
  it('copies inside a container and into another container of the account without downloading', async () => {
    const r = await freshRoot();
    await r.join('src').writeFile('copy me');
    const other = await viaProxy(`${await newContainer()}copied`);
    for (const target of [r.join('dst'), other]) {
      const requests = await recorded(() => r.join('src').copyTo(target));
      expect(requests.filter((q) => q.method === 'GET' && !new URL(q.url, 'http://x').searchParams.has('comp'))).toEqual([]);
      expect(requests.filter((q) => q.method === 'PUT').map((q) => q.headers['x-ms-copy-source'])).toEqual([expect.stringContaining('/src')]);
      expect(await target.readText()).toBe('copy me');
      expect((await target.stat()).hash).toBe(`md5:${md5('copy me')}`);
    }
  });

  it('a copy with ifNoneMatch onto an existing file is AlreadyExists; a missing source is NotFound', async () => {
    const r = await freshRoot();
    await r.join('a').writeFile('a');
    await r.join('b').writeFile('b');
    expect(isAlreadyExists(await rejection(r.join('a').copyTo(r.join('b'), { ifNoneMatch: '*' })))).toBe(true);
    expect(await r.join('b').readText()).toBe('b');
    expect(isNotFound(await rejection(r.backend.copy!(r.join('nope').key, r.join('c').key)))).toBe(true);
  });
});

describe('containers', () => {
  it('listing a missing container is NotFound, naming the container and how to create it', async () => {
    const url = `azureblob://${azurite().account}/missing-${randomUUID().slice(0, 8)}/x`;
    const e = await rejection((await viaProxy(url)).readDir());
    expect(isNotFound(e)).toBe(true);
    expect(e.message).toContain(url.split('/')[3]);
    expect(e.message).toContain('az storage container create');
    expect(await (await viaProxy(`${url}/file`)).exists()).toBe(false);
  });

  it('a write to a missing container creates it, as kops does', async () => {
    const url = `azureblob://${azurite().account}/new-${randomUUID().slice(0, 8)}/cluster/config`;
    const f = await viaProxy(url);
    await f.createFile('created');
    expect(await f.readText()).toBe('created');
  });

  it('a compare-and-swap into a missing container fails and creates nothing', async () => {
    const f = await viaProxy(`azureblob://${azurite().account}/cas-${randomUUID().slice(0, 8)}/f`);
    const e = await rejection(f.backend.write(f.key, text('x'), { ifMatch: '"0x8D0000000000000"' }));
    expect(isNotFound(e) || isPreconditionFailed(e)).toBe(true);
    expect(isNotFound(await rejection(f.parent()!.readDir()))).toBe(true);
  });
});

describe('credentials', () => {
  it('a connection string alone is enough (its BlobEndpoint points at Azurite)', async () => {
    const info = azurite();
    const f = (await open(`${container}cs-${randomUUID()}`, { env: { AZURE_STORAGE_CONNECTION_STRING: info.connectionString } })).join('f');
    await f.writeFile('via connection string');
    expect(await f.readText()).toBe('via connection string');
  });

  it('an account SAS token works', async () => {
    const info = azurite();
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: AccountSASPermissions.parse('rwdlac'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('b').toString(),
      },
      new StorageSharedKeyCredential(info.account, info.accountKey),
    ).toString();
    const f = (await open(`${container}sas-${randomUUID()}`, { env: { AZURE_STORAGE_SAS_TOKEN: `?${sas}`, AZUREBLOB_ENDPOINT: info.endpoint } })).join('f');
    await f.writeFile('via SAS');
    expect(await f.readText()).toBe('via SAS');
    expect((await f.parent()!.readDir()).map((e) => e.name)).toEqual(['f']);
  });

  it('a wrong key is PermissionDenied, naming the variable and never the key', async () => {
    const info = azurite();
    const wrongKey = Buffer.alloc(64, 9).toString('base64');
    const f = (await open(`${container}x`, { env: { AZURE_STORAGE_KEY: wrongKey, AZUREBLOB_ENDPOINT: info.endpoint }, retry: { maxAttempts: 1 } })).join('f');
    for (const attempt of [() => f.readFile(), () => f.writeFile('x'), () => f.parent()!.readDir()]) {
      const e = await rejection(attempt());
      expect(isPermissionDenied(e)).toBe(true);
      expect(e.message).toContain('AZURE_STORAGE_KEY');
      expect(e.message).not.toContain(wrongKey);
      expect(e.message).not.toContain(info.accountKey);
    }
  });
});
