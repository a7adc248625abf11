/** readDir lists a directory once even when the service repeats its prefix on later pages. */
import { describe, expect, it } from 'vitest';
import { MemfsBackend, pathForBackend, type ListOptions, type ListPage } from '../src/index.js';
import { DelegatingBackend } from './delegating-backend.js';

/** Re-sends every prefix it has ever reported on each later page, as fake-gcs-server v1.56.1 does. */
class RepeatingPrefixes extends DelegatingBackend {
  private seen = new Set<string>();
  override async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const page = await this.inner.list(prefix, options);
    for (const p of page.prefixes) this.seen.add(p);
    return { ...page, prefixes: [...this.seen].sort() };
  }
}

describe('readDir across pages', () => {
  it('lists a repeated prefix once', async () => {
    const inner = new MemfsBackend();
    for (const k of ['d/a', 'd/b/x', 'd/f1', 'd/f2', 'd/f3', 'd/f4']) await inner.write(k, new TextEncoder().encode(k));
    const dir = pathForBackend(new RepeatingPrefixes(inner), 'd', { listPageSize: 2 });
    expect((await dir.readDir()).map((e) => [e.name, e.isDirectory])).toEqual([
      ['a', false],
      ['b', true],
      ['f1', false],
      ['f2', false],
      ['f3', false],
      ['f4', false],
    ]);
  });
});
