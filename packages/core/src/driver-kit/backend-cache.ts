/**
 * driver-kit/backend-cache owns sharing one backend (or client, or per-bucket state) between every URL of
 * the same store, so that settled capabilities, connections and found-out facts are shared. Entries are
 * keyed by an identity: a list of values that tells stores apart. The plugin supplies it (its settings:
 * endpoint, bucket, credentials); without one, `defaultIdentity` uses the URL's scheme and host, the plugin
 * options and the whole environment, which is right when the URL's host names the store. Identities are
 * kept only as a digest, so a credential in one is never held in clear; objects that are not plain data (a
 * credential object, a function) count by reference. An entry that is a promise which rejects is dropped.
 */
import { createHash } from 'node:crypto';
import type { PluginContext } from '../plugins/plugin.js';
import type { ParsedUrl } from '../url/parse-url.js';

/** Values that tell one store (or client) apart from another. */
export type Identity = readonly unknown[];

const references = new WeakMap<object, number>();
let nextReference = 0;

/** A stable text for identity values: plain data by value (object keys sorted), anything else by reference. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') return `#ref${referenceOf(value)}`;
    return value === undefined ? 'undefined' : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return `#ref${referenceOf(value)}`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

function referenceOf(value: object): number {
  let id = references.get(value);
  if (id === undefined) references.set(value, (id = ++nextReference));
  return id;
}

/** The digest an identity is kept under. */
export function identityKey(identity: Identity): string {
  return createHash('sha256').update(canonical(identity)).digest('hex');
}

/** The identity of a store when the plugin gives none: scheme, host, plugin options and the environment. */
export function defaultIdentity(url: ParsedUrl, context: Pick<PluginContext, 'env' | 'options'>): Identity {
  return [url.scheme, url.host, context.options, context.env];
}

/** One value per identity, created on first use and shared afterwards. */
export class BackendCache<T> {
  readonly #entries = new Map<string, T>();

  /** The value for `identity`, created by `create` the first time; a promise that rejects is forgotten. */
  get(identity: Identity, create: () => T): T {
    const key = identityKey(identity);
    if (this.#entries.has(key)) return this.#entries.get(key)!;
    const value = create();
    this.#entries.set(key, value);
    if (value instanceof Promise) {
      value.catch(() => {
        if (this.#entries.get(key) === value) this.#entries.delete(key);
      });
    }
    return value;
  }

  /** The backend of the store `url` names: by the plugin's `identity`, else `defaultIdentity(url, context)`. */
  forStore(url: ParsedUrl, context: Pick<PluginContext, 'env' | 'options'>, create: () => T, identity?: Identity): T {
    return this.get(identity ?? defaultIdentity(url, context), create);
  }

  /** Forgets every entry (tests; a program that rotates credentials). */
  clear(): void {
    this.#entries.clear();
  }
}
