/**
 * backend/correctness-layer owns enforcing the driver contract once, in front of every driver core opens
 * (OpenDAL's correctness layer): before the driver is called, a key that is not normalised, longer than
 * `capabilities.maxKeyBytes` or holding one of `refusedKeyCharacters` is refused with InvalidUrlError, write metadata is checked, and a precondition
 * the driver's settled capabilities cannot honour (`ifMatch` without compareAndSwap, `ifNoneMatch` without
 * atomicCreate, a conditional delete without conditionalDelete) is refused with UnsupportedError, never
 * silently dropped. A call whose signal is already aborted does nothing; a streamed upload fails with the
 * abort even while its source waits, and a read's body once its signal aborts. Batch deletes are split to
 * `maxDeleteBatch`, deleted one by one where the driver has no batch delete, and a bad key fails alone.
 * Drivers therefore carry none of this; resolvePath and pathForBackend put this layer around each of them.
 */
import { checkWriteMetadata } from './write-metadata.js';
import type { Backend, Capabilities, CopyOptions, DeleteManyResult, DeleteOptions, ListOptions, ReadOptions, WriteBody, WriteOptions } from './backend.js';
import { settledCapabilities } from './capabilities.js';
import { layerOver } from './layer.js';
import { InvalidUrlError, NotFoundError, UnsupportedError } from '../errors/errors.js';
import { deleteEach } from '../driver-kit/delete-each.js';
import { responseBody, uploadBody } from '../driver-kit/streams.js';
import { normalizeKey } from '../url/keys.js';

const layers = new WeakMap<Backend, Backend>();

/** `backend` behind the correctness layer (one layer per driver, so paths opened separately share it). */
export function withCorrectness(backend: Backend): Backend {
  let layer = layers.get(backend);
  if (!layer) {
    layer = wrap(backend);
    layers.set(backend, layer);
    layers.set(layer, layer);
  }
  return layer;
}

/** Why `key` cannot name a file of a store with these limits (`maxKeyBytes`, `refusedKeyCharacters`), or undefined when it can. */
function keyProblem(key: string, { maxKeyBytes, refusedKeyCharacters }: Pick<Capabilities, 'maxKeyBytes' | 'refusedKeyCharacters'>): string | undefined {
  let normalised: string | undefined;
  try {
    normalised = normalizeKey([key], '');
  } catch {
    normalised = undefined;
  }
  if (normalised !== key) return 'it is not a normalised key (an empty, "." or ".." segment, a leading or trailing "/", or NUL)';
  const bytes = Buffer.byteLength(key);
  if (maxKeyBytes !== undefined && bytes > maxKeyBytes) return `it is ${bytes} bytes long and this store keeps keys of at most ${maxKeyBytes} bytes; use a shorter path`;
  const refused = [...(refusedKeyCharacters ?? '')].find((c) => key.includes(c));
  if (refused !== undefined) return `this store cannot keep ${JSON.stringify(refused)} in a key; rename the path without it`;
  return undefined;
}

function wrap(inner: Backend): Backend {
  const refuse = (key: string, problem: string) =>
    new InvalidUrlError(`Invalid key ${JSON.stringify(key)} under ${inner.urlFor('')}: ${problem}. Nothing was sent.`, { url: inner.urlFor('') });
  /** The key checked; `''` (the store root, never a file) is left to the caller. */
  const checked = (key: string): string => {
    if (typeof key !== 'string') throw refuse(String(key), 'a key is a string');
    if (key === '') return key;
    const problem = keyProblem(key, inner.capabilities);
    if (problem) throw refuse(key, problem);
    return key;
  };
  const checkPrefix = (prefix: string) => {
    if (prefix === '') return;
    if (!prefix.endsWith('/')) throw refuse(prefix, 'a listing prefix is "" or ends with "/"');
    const problem = keyProblem(prefix.slice(0, -1), {});
    if (problem) throw refuse(prefix, problem);
  };
  const unsupported = (key: string, what: string, capability: keyof Capabilities, notes: readonly string[] | undefined) =>
    new UnsupportedError(
      `Cannot ${what} ${inner.urlFor(key)}: this store cannot honour it (capabilities.${capability} is false)${notes?.length ? `. ${notes.join(' ')}` : ''}`,
      { url: inner.urlFor(key) },
    );
  let self: Backend;
  const settled = (key: string, signal: AbortSignal | undefined) => settledCapabilities(self, { key, ...(signal ? { signal } : {}) });

  const own: Partial<Backend> = {
    async stat(key, options = {}) {
      options.signal?.throwIfAborted();
      if (checked(key) === '') return undefined;
      return inner.stat(key, options);
    },
    async read(key, options: ReadOptions = {}) {
      options.signal?.throwIfAborted();
      if (checked(key) === '') throw new NotFoundError(`${inner.urlFor('')} is the root of the store, not a file`, { url: inner.urlFor('') });
      const opened = await inner.read(key, options);
      return { info: opened.info, body: responseBody(opened.body, { signal: options.signal }) };
    },
    async write(key: string, body: WriteBody, options: WriteOptions = {}) {
      options.signal?.throwIfAborted();
      if (checked(key) === '') throw refuse(key, 'the root of the store is not a file');
      checkWriteMetadata(options.metadata);
      if (options.ifMatch !== undefined || options.ifNoneMatch !== undefined) {
        const caps = await settled(key, options.signal);
        if (options.ifMatch !== undefined && !caps.compareAndSwap) throw unsupported(key, 'replace only if unchanged (compare-and-swap)', 'compareAndSwap', caps.notes);
        if (options.ifNoneMatch !== undefined && !caps.atomicCreate) throw unsupported(key, 'create only if absent, atomically', 'atomicCreate', caps.notes);
      }
      return inner.write(key, body instanceof Uint8Array ? body : uploadBody(body, options.signal), options);
    },
    async delete(key, options: DeleteOptions = {}) {
      options.signal?.throwIfAborted();
      if (checked(key) === '') return;
      if (options.ifMatch !== undefined && !(await settled(key, options.signal)).conditionalDelete) {
        throw unsupported(key, 'remove only if unchanged', 'conditionalDelete', inner.capabilities.notes);
      }
      return inner.delete(key, options);
    },
    async list(prefix, options: ListOptions = {}) {
      options.signal?.throwIfAborted();
      checkPrefix(prefix);
      return inner.list(prefix, options);
    },
    async deleteMany(keys, options: { signal?: AbortSignal } = {}) {
      options.signal?.throwIfAborted();
      const result: DeleteManyResult = { deleted: [], errors: [] };
      const valid: string[] = [];
      for (const key of keys) {
        try {
          if (checked(key) !== '') valid.push(key);
          else result.deleted.push(key);
        } catch (error) {
          result.errors.push({ key, error: error as Error });
        }
      }
      if (valid.length === 0) return result;
      const batch = (await settled(valid[0]!, options.signal)).maxDeleteBatch ?? valid.length;
      for (let i = 0; i < valid.length; i += batch) {
        const part = valid.slice(i, i + batch);
        const done = inner.deleteMany ? await inner.deleteMany(part, options) : await deleteEach(inner, part, options.signal);
        result.deleted.push(...done.deleted);
        result.errors.push(...done.errors);
      }
      return result;
    },
    ...(inner.copy && {
      async copy(sourceKey: string, targetKey: string, options: CopyOptions = {}) {
        options.signal?.throwIfAborted();
        checked(sourceKey);
        if (checked(targetKey) === '') throw refuse(targetKey, 'the root of the store is not a file');
        if (options.ifNoneMatch !== undefined) {
          const caps = await settled(targetKey, options.signal);
          if (!caps.atomicCreate) throw unsupported(targetKey, 'copy to, only if absent, atomically', 'atomicCreate', caps.notes);
        }
        return inner.copy!(sourceKey, targetKey, options);
      },
    }),
    ...(inner.copyFrom && {
      async copyFrom(source: Backend, sourceKey: string, targetKey: string, options: CopyOptions = {}) {
        options.signal?.throwIfAborted();
        if (checked(targetKey) === '') throw refuse(targetKey, 'the root of the store is not a file');
        if (options.ifNoneMatch !== undefined) {
          const caps = await settled(targetKey, options.signal);
          if (!caps.atomicCreate) throw unsupported(targetKey, 'copy to, only if absent, atomically', 'atomicCreate', caps.notes);
        }
        return inner.copyFrom!(source, sourceKey, targetKey, options);
      },
    }),
  };
  self = layerOver(inner, own);
  return self;
}
