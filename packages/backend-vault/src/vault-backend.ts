/**
 * vault-backend: the driver for one KV version 2 mount, in kops's historic layout. A file `<mount>/<key>` is
 * one secret at `<mount>/data/<key>` whose data holds the bytes, standard base64, under `file`; folders are
 * what `LIST <mount>/metadata/<prefix>` returns (names ending in `/`).
 *
 * - Version tokens are `<KV version>@<that version's created_time>`: a secret deleted and re-created starts
 *   again at version 1, so the number alone would let a stale compare-and-swap overwrite the new secret with
 *   content computed from the deleted one. createFile writes with `cas: 0`; compare-and-swap checks the
 *   token's created_time against the current version, then writes with `cas: <version>` (atomic in Vault
 *   for the number; a delete and re-create inside that check-then-write window is the residual). A secret
 *   whose latest version is soft-deleted or destroyed counts as missing (createFile then writes with
 *   `cas: <that version>`, still atomic).
 * - Write metadata is kept in the secret's data under `metadata` (beside `file`).
 * - delete removes the metadata, i.e. every version. With `ifMatch` it checks the version first and then
 *   deletes: not atomic (Vault's metadata delete takes no check-and-set), hence `conditionalDelete: false`.
 * - Vault's LIST returns a whole folder at once; pages are cut here by `pageSize`, the page token being the
 *   last key of the previous page. Listings without a delimiter walk LIST folder by folder. Each file of a
 *   page is read for its size and version (LIST returns names only).
 * - Versions (`listVersions`, `readVersion`): the secret's KV v2 versions from its metadata, newest first, a
 *   soft-deleted or destroyed one as a deletion; kept up to the mount's `max_versions`. `delete` removes them all.
 * - Whole files only: no streaming, no ranges; sizes are bounded by Vault's request size and storage limits.
 */
import type { Backend, Capabilities, ListOptions, ListPage, ObjectInfo, ObjectVersion, ReadOptions, ReadResult, WriteBody, WriteOptions } from '@statestore/core';
import { AlreadyExistsError, InvalidConfigError, NotFoundError, PreconditionFailedError, UnsupportedError, collect, runLimited } from '@statestore/core';
import { checkWriteMetadata, freezeCapabilities, once } from '@statestore/core/driver-kit';
import { formatVaultUrl, type VaultLocation } from './config.js';
import type { RequestAuth, VaultClient, VaultConnection } from './connection.js';
import { isCasMismatch, isMissingSecret, mapVaultError, vaultStatus } from './errors.js';

const capabilities: Readonly<Capabilities> = freezeCapabilities({
  atomicCreate: true,
  compareAndSwap: true,
  conditionalDelete: false,
  versions: true,
  writeMetadata: true,
  acl: false,
  serverSideCopy: false,
  streaming: false,
  rangeReads: false,
  contentType: false,
  fileAndPrefix: true,
  hashes: [],
  notes: [
    'Files are KV version 2 secrets holding base64 bytes under "file" (kops layout); createFile and compare-and-swap use Vault check-and-set.',
    'delete with ifMatch checks the version, then deletes every version: not atomic.',
    "Size is bounded by Vault's max_request_size (32 MiB by default, so files under 24 MiB once base64-encoded) and by its storage: integrated storage (Raft) keeps entries under 1 MiB by default (max_entry_size), Consul under 512 KiB.",
    'Listing reads every file of a page for its size and version; Vault returns whole folders, so pages are cut on the client.',
  ],
});

/** Pages when the caller gives no size; files of a page are read with this many requests in flight. */
const DEFAULT_PAGE = 1000;
const READ_CONCURRENCY = 8;

/** One KV version 2 secret as Vault returns it from `<mount>/data/<key>`. */
interface SecretAnswer {
  data?: { data?: { file?: unknown; metadata?: unknown } | null; metadata?: { version?: unknown; created_time?: unknown } };
}

/** The current-version facts from `<mount>/metadata/<key>`. */
interface MetadataAnswer {
  data?: { current_version?: unknown; versions?: Record<string, { created_time?: unknown; deletion_time?: unknown; destroyed?: unknown }> };
}

export class VaultBackend implements Backend {
  readonly capabilities = capabilities;
  /** The mount's check (KV version 2), once it passed; a failed check runs again. */
  private readonly mountChecked = once<void>();

  constructor(
    private readonly connection: VaultConnection,
    private readonly location: Pick<VaultLocation, 'hostPort' | 'tls' | 'mount'>,
  ) {}

  urlFor(key: string): string {
    return formatVaultUrl(this.location, key);
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const secret = await this.readSecret(key);
    return secret && infoOf(key, secret.base64, secret.answer);
  }

  async read(key: string, _options: ReadOptions = {}): Promise<ReadResult> {
    const secret = await this.readSecret(key);
    if (!secret) throw new NotFoundError(`File not found: ${this.urlFor(key)}`, { url: this.urlFor(key) });
    const bytes = Buffer.from(secret.base64, 'base64');
    return { info: infoOf(key, secret.base64, secret.answer), body: oneChunk(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)) };
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const bytes = body instanceof Uint8Array ? body : await collect(body);
    const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    checkWriteMetadata(options.metadata);
    let cas: number | undefined;
    if (options.ifNoneMatch === '*') cas = 0;
    else if (options.ifMatch !== undefined) {
      const token = parseVersion(options.ifMatch);
      if (!token) {
        throw new PreconditionFailedError(`${this.urlFor(key)}: version ${options.ifMatch} is not a Vault KV version, so it cannot match`, { url: this.urlFor(key) });
      }
      if (token.created !== undefined) {
        const current = await this.stat(key);
        if (current?.version !== options.ifMatch) {
          throw new PreconditionFailedError(`${this.urlFor(key)} changed since version ${options.ifMatch} was read (it is ${current ? `at ${current.version}` : 'gone'})`, { url: this.urlFor(key) });
        }
      }
      cas = token.version;
    }
    try {
      return await this.putSecret(key, file, bytes.byteLength, cas, options.metadata);
    } catch (e) {
      if (!isCasMismatch((e as Error).cause)) throw e;
      if (options.ifNoneMatch !== '*') throw e;
      // cas 0 fails when the secret has any version, even one that is deleted: then create over that version.
      const deleted = await this.deletedLatestVersion(key);
      if (deleted !== undefined) {
        try {
          return await this.putSecret(key, file, bytes.byteLength, deleted, options.metadata);
        } catch (again) {
          if (!isCasMismatch((again as Error).cause)) throw again;
        }
      }
      throw new AlreadyExistsError(`File already exists: ${this.urlFor(key)}`, { url: this.urlFor(key) });
    }
  }

  /** Removes every version of the secret. Not conditional (conditionalDelete is false; core refuses `ifMatch`). */
  async delete(key: string): Promise<void> {
    await this.call(key, 'metadata', ['delete'], (client, auth, path) => client.delete(path, auth));
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const entries = options.delimiter ? await this.listFolder(prefix) : await this.listTree(prefix);
    entries.sort();
    const pageSize = Math.max(1, options.pageSize ?? DEFAULT_PAGE);
    const after = options.pageToken;
    const start = after === undefined ? 0 : upperBound(entries, after);
    const page = entries.slice(start, start + pageSize);
    const prefixes = page.filter((k) => k.endsWith('/'));
    const files = page.filter((k) => !k.endsWith('/'));
    const infos = new Map<string, ObjectInfo>();
    await runLimited(files, READ_CONCURRENCY, async (k) => {
      const info = await this.stat(k).catch((e) => {
        // A secret written by another tool (no "file") is not a file of this store; skip it in listings.
        if (e instanceof UnsupportedError) return undefined;
        throw e;
      });
      if (info) infos.set(k, info);
    });
    const objects = files.flatMap((k) => (infos.has(k) ? [infos.get(k)!] : []));
    return { objects, prefixes, ...(start + pageSize < entries.length ? { nextPageToken: page[page.length - 1]! } : {}) };
  }

  /** The names in one folder (files, and folders ending in `/`), as full keys; a missing folder is empty. */
  private async listFolder(prefix: string): Promise<string[]> {
    const answer = (await this.call(prefix, 'metadata', ['list'], (client, auth, path) => client.list(path, auth)).catch((e) => {
      if (isMissingSecret(e.cause)) return undefined;
      throw e;
    })) as { data?: { keys?: unknown } } | undefined;
    const keys = answer?.data?.keys;
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string' && k !== '' && k !== '/').map((k) => prefix + k) : [];
  }

  /** Every file below a prefix, walking folder by folder. */
  private async listTree(prefix: string): Promise<string[]> {
    const files: string[] = [];
    let folders = [prefix];
    while (folders.length > 0) {
      const next: string[] = [];
      await runLimited(folders, READ_CONCURRENCY, async (folder) => {
        for (const k of await this.listFolder(folder)) (k.endsWith('/') ? next : files).push(k);
      });
      folders = next;
    }
    return files;
  }

  /** The secret's base64 bytes, or undefined when it is missing or its latest version is deleted. */
  private async readSecret(key: string): Promise<{ base64: string; answer: SecretAnswer } | undefined> {
    let answer: SecretAnswer;
    try {
      answer = (await this.call(key, 'data', ['read'], (client, auth, path) => client.read(path, auth))) as SecretAnswer;
    } catch (e) {
      if (isMissingSecret((e as Error).cause)) return undefined;
      throw e;
    }
    const data = answer.data?.data;
    if (data === null || data === undefined) return undefined;
    if (typeof data.file !== 'string') {
      throw new UnsupportedError(
        `${this.urlFor(key)} is a Vault secret without a "file" key, so it was not written by kops or Statestore; read it with the vault CLI`,
        { url: this.urlFor(key) },
      );
    }
    return { base64: data.file, answer };
  }

  private async putSecret(key: string, file: string, size: number, cas: number | undefined, metadata: Record<string, string> | undefined): Promise<ObjectInfo> {
    const payload = { data: { file, ...(metadata ? { metadata } : {}) }, ...(cas !== undefined ? { options: { cas } } : {}) };
    const answer = (await this.call(key, 'data', cas === 0 ? ['create'] : cas === undefined ? ['create', 'update'] : ['update'], (client, auth, path) =>
      client.write(path, payload, auth),
    )) as { data?: { version?: unknown; created_time?: unknown } };
    return { key, size, version: versionToken(answer.data?.version, answer.data?.created_time), ...modified(answer.data?.created_time), ...(metadata ? { metadata: { ...metadata } } : {}) };
  }

  /** The secret's KV v2 versions, newest first (a soft-deleted or destroyed one as a deletion); [] when there is no secret. */
  async listVersions(key: string): Promise<ObjectVersion[]> {
    const answer = await this.readMetadata(key);
    const current = Number(answer?.data?.current_version);
    return Object.entries(answer?.data?.versions ?? {})
      .map(([number, v]) => ({
        versionId: number,
        ...modified(v.created_time),
        version: versionToken(number, v.created_time),
        ...(v.destroyed === true || (typeof v.deletion_time === 'string' && v.deletion_time !== '') ? { deleted: true } : {}),
        latest: Number(number) === current,
      }))
      .sort((a, b) => Number(b.versionId) - Number(a.versionId));
  }

  /** One KV v2 version of the secret; NotFound when it is deleted, destroyed or beyond what the mount keeps. */
  async readVersion(key: string, versionId: string, _options: ReadOptions = {}): Promise<ReadResult> {
    const missing = () => new NotFoundError(`Version ${versionId} of ${this.urlFor(key)} is not there (deleted, destroyed, or older than the mount keeps)`, { url: this.urlFor(key) });
    if (!/^[1-9][0-9]*$/.test(versionId)) throw missing();
    let answer: SecretAnswer;
    try {
      answer = (await this.call(key, 'data', ['read'], (client, auth, path) => client.read(`${path}?version=${versionId}`, auth))) as SecretAnswer;
    } catch (e) {
      if (isMissingSecret((e as Error).cause)) throw missing();
      throw e;
    }
    const file = answer.data?.data?.file;
    if (typeof file !== 'string') throw missing();
    const bytes = Buffer.from(file, 'base64');
    return { info: infoOf(key, file, answer), body: oneChunk(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)) };
  }

  /** The secret's metadata, or undefined when there is no secret. */
  private async readMetadata(key: string): Promise<MetadataAnswer | undefined> {
    try {
      return (await this.call(key, 'metadata', ['read'], (client, auth, path) => client.read(path, auth))) as MetadataAnswer;
    } catch (e) {
      if (isMissingSecret((e as Error).cause)) return undefined;
      throw e;
    }
  }

  /** The latest version's number when it is soft-deleted or destroyed; undefined when it is live or there is none. */
  private async deletedLatestVersion(key: string): Promise<number | undefined> {
    const answer = await this.readMetadata(key);
    if (!answer) return undefined;
    const current = Number(answer.data?.current_version);
    const latest = answer.data?.versions?.[String(current)];
    if (!Number.isInteger(current) || current < 1 || !latest) return undefined;
    return latest.destroyed === true || (typeof latest.deletion_time === 'string' && latest.deletion_time !== '') ? current : undefined;
  }

  /**
   * One request against `<mount>/<kind>/<key>` with a valid token, errors mapped to core's (the Vault error is
   * the `cause`). The first request also checks that the mount is KV version 2.
   */
  private async call<T>(key: string, kind: 'data' | 'metadata', capabilities: string[], fn: (client: VaultClient, auth: RequestAuth, path: string) => Promise<T>): Promise<T> {
    const { client, auth } = await this.connection.ready();
    await this.mountChecked(() => this.checkMount(client, auth));
    const policyPath = `${this.location.mount}/${kind}/${key}`;
    try {
      return await fn(client, auth, encodePath(policyPath));
    } catch (e) {
      throw mapVaultError(e, { url: this.urlFor(key), policyPath, capabilities, address: this.connection.address, namespace: this.connection.namespace });
    }
  }

  /**
   * Refuses a mount that is not KV version 2 (on a version 1 mount `data/…` would be written as plain paths).
   * Uses the endpoint the Vault CLI uses for the same check; when the token may not read it, Vault's own errors
   * on the first request will have to do.
   */
  private async checkMount(client: VaultClient, auth: RequestAuth): Promise<void> {
    let answer: { data?: { type?: unknown; options?: { version?: unknown } | null } };
    try {
      answer = (await client.read(`sys/internal/ui/mounts/${encodePath(this.location.mount)}`, auth)) as typeof answer;
    } catch (e) {
      const status = vaultStatus(e);
      if (status !== undefined && status < 500) return;
      throw mapVaultError(e, {
        url: this.urlFor(''),
        policyPath: `sys/internal/ui/mounts/${this.location.mount}`,
        capabilities: ['read'],
        address: this.connection.address,
        namespace: this.connection.namespace,
      });
    }
    const type = answer.data?.type;
    const version = answer.data?.options?.version;
    if (type === 'kv' && version === '2') return;
    const what = type === 'kv' ? 'a KV version 1 mount' : `a ${String(type)} secrets engine`;
    throw new InvalidConfigError(
      `${this.urlFor('')}: "${this.location.mount}/" is ${what}, but kops's layout needs KV version 2. ` +
        (type === 'kv' ? `Upgrade it with: vault kv enable-versioning ${this.location.mount}` : `Use a KV version 2 mount (vault secrets enable -path=NAME kv-v2).`),
      { url: this.urlFor('') },
    );
  }
}

function infoOf(key: string, base64: string, answer: SecretAnswer): ObjectInfo {
  const metadata = stringRecord(answer.data?.data?.metadata);
  return {
    key,
    size: base64Size(base64),
    version: versionToken(answer.data?.metadata?.version, answer.data?.metadata?.created_time),
    ...modified(answer.data?.metadata?.created_time),
    ...(metadata ? { metadata } : {}),
  };
}

/** `<version>@<created_time>`: unique across a delete and re-create (which restarts the numbers). */
function versionToken(version: unknown, created: unknown): string {
  const number = String(version ?? '');
  return typeof created === 'string' && created !== '' ? `${number}@${created}` : number;
}

function parseVersion(token: string): { version: number; created?: string } | undefined {
  const m = /^([1-9][0-9]*)(?:@(.+))?$/.exec(token);
  return m ? { version: Number(m[1]), ...(m[2] !== undefined ? { created: m[2] } : {}) } : undefined;
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

function modified(time: unknown): { modified?: Date } {
  const date = typeof time === 'string' ? new Date(time) : undefined;
  return date && !Number.isNaN(date.getTime()) ? { modified: date } : {};
}

/** Decoded length of standard base64 without decoding it. */
function base64Size(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/** Percent-encodes each segment, so that spaces, `%`, `?`, `#` and non-ASCII survive the HTTP path. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Index of the first entry greater than `token`. */
function upperBound(sorted: readonly string[], token: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= token) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
