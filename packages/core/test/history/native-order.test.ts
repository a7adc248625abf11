/**
 * history with native versions whose times have whole seconds (as OSS lists them): a change made outside
 * Statestore after a Statestore revision, stored "in the same second", is shown newer than that revision — its
 * place comes from the order of the file's versions, which the service knows, not from times that cannot tell.
 * The driver here keeps every version of each key (memfs underneath) and gives all of them one whole second.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freezeCapabilities } from '../../src/driver-kit/index.js';
import { MemfsBackend, pathForBackend, readHistory, type ObjectInfo, type ObjectVersion, type WriteBody, type WriteOptions } from '../../src/index.js';
import { DelegatingBackend } from '../delegating-backend.js';
import { asRevision, quiet } from './history-helpers.js';

class VersionedBackend extends DelegatingBackend {
  readonly versions = new Map<string, ObjectVersion[]>();
  /** Every version is stored "in" the second the test started: no later than any revision it made. */
  readonly second = new Date(Math.floor(Date.now() / 1000) * 1000);
  override get capabilities() {
    return freezeCapabilities({ ...this.inner.capabilities, versions: true });
  }
  override async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectInfo> {
    const info = await super.write(key, body, options);
    const kept = (this.versions.get(key) ?? []).map((v) => ({ ...v, latest: false }));
    this.versions.set(key, [{ versionId: randomUUID(), modified: this.second, size: info.size, version: info.version, latest: true }, ...kept]);
    return info;
  }
  async listVersions(key: string): Promise<ObjectVersion[]> {
    return this.versions.get(key) ?? [];
  }
}

describe('native versions stored within the same second as a revision', () => {
  it('a change made outside Statestore after a revision is shown newer than it', async () => {
    const backend = new VersionedBackend(new MemfsBackend());
    const store = pathForBackend(backend, `store-${randomUUID()}`, { logger: quiet });
    await asRevision(store, { user: 'tester', message: 'created' }, async (s) => void (await s.join('c', 'config').writeFile('v1')));
    await store.join('c', 'config').writeFile('v2, written around Statestore');

    const seen = await readHistory(store, 'c');
    expect(seen.native).toEqual({ read: true });
    expect(seen.revisions.map((r) => [r.kind, r.attribution?.message ?? null])).toEqual([
      ['outside', null],
      ['statestore', 'created'],
    ]);
    expect(seen.revisions[0]!.time).toBe(backend.second.toISOString()); // the service's time, as it gave it
  });
});
