/**
 * The k8s:// driver: one namespace, one Secret per file (names and labels from names.ts, object shape from
 * secret-object.ts). Create is a POST (409 AlreadyExists), compare-and-swap a PUT carrying the version read
 * as `metadata.resourceVersion` (409 Conflict → PreconditionFailed), conditional delete a DELETE with
 * preconditions; the API server decides each atomically. Stats and listings ask for metadata only. Listings
 * come in key order because names do; "directories" are derived from the files of one label-selected page.
 * Limits are checked before any request: keys of at most MAX_KEY_BYTES, files of at most 1 MiB. No retries
 * here: core retries TransientError.
 */
import { createHash } from 'node:crypto';
import type { ConfigurationOptions, CoreV1Api } from '@kubernetes/client-node';
import { InvalidUrlError, NotFoundError, PreconditionFailedError, StatestoreError, TransientError, UnsupportedError, isAlreadyExists, isNotFound, type Backend, type Capabilities, type DeleteOptions, type ListOptions, type ListPage, type ObjectInfo, type ReadOptions, type ReadResult, type WriteBody, type WriteOptions } from '@statestore/core';
import { bytesBody, collectBody, freezeCapabilities, once } from '@statestore/core/driver-kit';
import { METADATA_LIST_ONLY, METADATA_ONLY, type KubeClient } from './client.js';
import { formatK8sUrl } from './config.js';
import { apiStatusOf, mapKubeError, type SecretVerb } from './errors.js';
import { MAX_KEY_BYTES, keyBytes, secretNameFor, selectorFor } from './names.js';
import { MAX_FILE_BYTES, bytesOf, infoFromMetadata, secretFor, type FileFacts } from './secret-object.js';

/** Objects per listing page (the API server has no upper limit; this keeps a page's metadata near 1 MB). */
const MAX_PAGE_SIZE = 1000;

const capabilities: Readonly<Capabilities> = freezeCapabilities({
  atomicCreate: true,
  compareAndSwap: true,
  conditionalDelete: true,
  versions: false,
  writeMetadata: true,
  acl: false,
  serverSideCopy: false,
  streaming: false,
  rangeReads: true,
  contentType: true,
  fileAndPrefix: true,
  hashes: ['sha256'],
  maxPageSize: MAX_PAGE_SIZE,
  maxKeyBytes: MAX_KEY_BYTES,
  notes: [
    'One Secret per file in the namespace; version tokens are resourceVersions (create is a POST, compare-and-swap a PUT with resourceVersion, conditional delete uses preconditions).',
    'Kubernetes keeps no old versions of a Secret.',
    `Files of at most 1 MiB (a Secret's limit) and keys of at most ${MAX_KEY_BYTES} bytes (encoded into the Secret's name, so that listings come in key order).`,
    'Kubernetes nodes cannot read this store: update cluster --yes is refused on it.',
    'Write metadata is kept as statestore.meta/<name> annotations.',
  ],
});

export interface K8sBackendOptions {
  namespace: string;
  /** The kubeconfig context named in the URL (`?context=NAME`), printed in canonical URLs. */
  context?: string;
  /** Builds the API client on first use (the SDK is imported only then). */
  client: () => Promise<KubeClient>;
  /** A request that gets no answer for this long fails as Transient (STATESTORE_TIMEOUT). */
  timeoutMs: number;
}

type Call<T> = (api: CoreV1Api, options: ConfigurationOptions) => Promise<T>;

/**
 * The driver for one namespace. Keys are file paths; `urlFor('')` is `k8s://NAMESPACE/`. Build it through the
 * plugin (`resolvePath('k8s://…')`), or directly with a client factory for tests and tools.
 */
export class K8sBackend implements Backend {
  readonly capabilities = capabilities;
  readonly namespace: string;
  /** The API client, made on the first request (again after a failure to make it). */
  private readonly client = once<KubeClient>(() => this.options.client());

  constructor(private readonly options: K8sBackendOptions) {
    this.namespace = options.namespace;
  }

  urlFor(key: string): string {
    return formatK8sUrl({ namespace: this.namespace, ...(this.options.context !== undefined ? { context: this.options.context } : {}) }, key);
  }

  async stat(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const name = this.secretName(key);
    try {
      const secret = await this.call('get', key, options.signal, (api, o) => api.readNamespacedSecret({ name, namespace: this.namespace }, o), METADATA_ONLY);
      return infoFromMetadata(secret.metadata);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const name = this.secretName(key);
    const secret = await this.call('get', key, options.signal, (api, o) => api.readNamespacedSecret({ name, namespace: this.namespace }, o));
    const info = infoFromMetadata(secret.metadata);
    if (!info) throw new NotFoundError(`File not found: ${this.urlFor(key)}`, { url: this.urlFor(key) });
    const bytes = bytesOf(secret);
    const { range } = options;
    const body = range ? bytes.subarray(range.start, range.end === undefined ? undefined : range.end + 1) : bytes;
    return { info: { ...info, size: bytes.byteLength }, body: bytesBody(body) };
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    this.secretName(key);
    const bytes = await this.bytesToWrite(key, body, options);
    const sha256 = options.sha256 ?? createHash('sha256').update(bytes).digest('hex');
    const facts = { sha256, ...(options.contentType ? { contentType: options.contentType } : {}), ...(options.metadata ? { metadata: options.metadata } : {}) };
    if (options.ifNoneMatch === '*') return this.create(key, bytes, facts, options.signal);
    if (options.ifMatch !== undefined) {
      try {
        return await this.replace(key, bytes, { ...facts, resourceVersion: this.resourceVersion(key, options.ifMatch) }, options.signal);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        throw new PreconditionFailedError(`${this.urlFor(key)} no longer exists (it was removed since it was read); read it again and retry`, { url: this.urlFor(key), cause: e });
      }
    }
    // Kubernetes has no create-or-replace of a whole object: create (one request for a new file), and replace
    // what exists already.
    try {
      return await this.create(key, bytes, facts, options.signal);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    try {
      return await this.replace(key, bytes, facts, options.signal);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      throw new TransientError(`${this.urlFor(key)} was removed by another writer at the same moment; write again`, { url: this.urlFor(key), cause: e });
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const name = this.secretName(key);
    const body = options.ifMatch !== undefined ? { preconditions: { resourceVersion: this.resourceVersion(key, options.ifMatch) } } : undefined;
    try {
      await this.call('delete', key, options.signal, (api, o) => api.deleteNamespacedSecret({ name, namespace: this.namespace, ...(body ? { body } : {}) }, o));
    } catch (e) {
      // A missing file is done, unless the caller expected a version of it.
      if (!isNotFound(e) || options.ifMatch !== undefined) throw e;
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const limit = Math.min(Math.max(1, Math.floor(options.pageSize ?? MAX_PAGE_SIZE)), MAX_PAGE_SIZE);
    let page;
    try {
      page = await this.call(
        'list',
        prefix,
        options.signal,
        (api, o) =>
          api.listNamespacedSecret(
            { namespace: this.namespace, labelSelector: selectorFor(prefix), limit, ...(options.pageToken ? { _continue: options.pageToken } : {}) },
            o,
          ),
        METADATA_LIST_ONLY,
      );
    } catch (e) {
      // An expired page token (410): the API server hands back a token that resumes after the same key.
      const resume = apiStatusOf((e as Error).cause)?.status.metadata?.continue;
      if (options.pageToken && resume) return { objects: [], prefixes: [], nextPageToken: resume };
      throw e;
    }
    const objects: ObjectInfo[] = [];
    const prefixes: string[] = [];
    for (const item of page.items ?? []) {
      const info = infoFromMetadata(item.metadata);
      if (!info?.key.startsWith(prefix)) continue; // a hash collision of folder labels, or not a file of ours
      const slash = options.delimiter ? info.key.indexOf('/', prefix.length) : -1;
      if (slash === -1) objects.push(info);
      else if (prefixes.at(-1) !== info.key.slice(0, slash + 1)) prefixes.push(info.key.slice(0, slash + 1));
    }
    const next = page.metadata?._continue;
    return { objects, prefixes, ...(next ? { nextPageToken: next } : {}) };
  }

  private create(key: string, bytes: Uint8Array, facts: FileFacts, signal: AbortSignal | undefined): Promise<ObjectInfo> {
    const body = secretFor(this.namespace, key, bytes, facts);
    return this.call('create', key, signal, (api, o) => api.createNamespacedSecret({ namespace: this.namespace, body }, o)).then((s) => this.infoOf(key, s.metadata));
  }

  private replace(
    key: string,
    bytes: Uint8Array,
    facts: FileFacts,
    signal: AbortSignal | undefined,
  ): Promise<ObjectInfo> {
    const body = secretFor(this.namespace, key, bytes, facts);
    const name = body.metadata!.name!;
    return this.call('update', key, signal, (api, o) => api.replaceNamespacedSecret({ name, namespace: this.namespace, body }, o)).then((s) =>
      this.infoOf(key, s.metadata),
    );
  }

  private infoOf(key: string, metadata: Parameters<typeof infoFromMetadata>[0]): ObjectInfo {
    const info = infoFromMetadata(metadata);
    if (!info) throw new StatestoreError('Unknown', `The API server answered a write of ${this.urlFor(key)} without the file's metadata`, { url: this.urlFor(key) });
    return info;
  }

  /**
   * A version token as a resourceVersion precondition. An API server on etcd issues decimal numbers; any
   * other token (an empty one would even make the write unconditional) can never match.
   */
  private resourceVersion(key: string, token: string): string {
    if (!/^[0-9]+$/.test(token)) {
      throw new PreconditionFailedError(`${this.urlFor(key)} cannot match version "${token}": Kubernetes versions are resourceVersions (decimal numbers); read the file again`, {
        url: this.urlFor(key),
      });
    }
    return token;
  }

  /** The Secret name of a key; InvalidUrlError (before any request) when the key is too long for one. */
  private secretName(key: string): string {
    const length = keyBytes(key);
    if (length > MAX_KEY_BYTES) {
      throw new InvalidUrlError(
        `Invalid path ${this.urlFor(key)}: the key is ${length} bytes, and k8s:// stores keys of at most ${MAX_KEY_BYTES} bytes (the key is encoded into the Secret's name, which holds 253 characters). Use a shorter path or cluster name.`,
        { url: this.urlFor(key) },
      );
    }
    return secretNameFor(key);
  }

  /** The whole body, refused (UnsupportedError, nothing sent) once it is larger than a Secret holds. */
  private async bytesToWrite(key: string, body: WriteBody, options: WriteOptions): Promise<Uint8Array> {
    const tooLarge = (size: string) =>
      new UnsupportedError(
        `Cannot write ${this.urlFor(key)}: ${size} is more than a Kubernetes Secret holds (1 MiB, ${MAX_FILE_BYTES} bytes); nothing was written. Keep files this large in another store (s3://, gs://, …).`,
        { url: this.urlFor(key) },
      );
    if (!(body instanceof Uint8Array) && options.size !== undefined && options.size > MAX_FILE_BYTES) throw tooLarge(`${options.size} bytes`);
    return collectBody(body, {
      signal: options.signal,
      maxBytes: MAX_FILE_BYTES,
      tooLarge: (size) => tooLarge(body instanceof Uint8Array ? `${size} bytes` : `a stream of more than ${MAX_FILE_BYTES} bytes`),
    });
  }

  /** One API request with its verb's error mapping, the caller's signal and the request timeout. */
  private async call<T>(verb: SecretVerb, key: string, signal: AbortSignal | undefined, request: Call<T>, accept?: string): Promise<T> {
    const client = await this.client();
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      return await request(client.api, client.callOptions(signal ? AbortSignal.any([signal, timeout]) : timeout, accept));
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      const url = this.urlFor(key);
      if (timeout.aborted) {
        throw new TransientError(`No answer from the Kubernetes API server at ${client.server} for ${url} within ${this.options.timeoutMs / 1000} s (STATESTORE_TIMEOUT)`, {
          url,
          cause: e,
        });
      }
      throw mapKubeError(e, { url, namespace: this.namespace, verb, server: client.server });
    }
  }
}
