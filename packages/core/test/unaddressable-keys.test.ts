/**
 * Keys that no path can name (an empty, `.` or `..` segment, a NUL) are left out of listings and reported
 * as skipped; every other key, dots inside names included, is listed.
 */
import { describe, expect, it } from 'vitest';
import { unwrapBackend } from '../src/driver-kit/index.js';
import { resolvePath, type VfsPath } from '../src/index.js';

describe('listing keys a path cannot name', () => {
  it('skips and reports empty, "." and ".." segments and NUL; lists the rest', async () => {
    const root: VfsPath = await resolvePath('memfs://unaddressable/tree');
    const at = (rest: string) => `${root.key}/${rest}`;
    const odd = ['a//b', './x', 'y/..', '..', 'n\0ul', 'z/./'].map(at);
    const fine = ['ok', '.hidden', '...', 'a.b/..c', 'd/e.'].map(at);
    // Written as another tool would, through the driver itself (core's correctness layer refuses such keys).
    const driver = unwrapBackend(root.backend);
    for (const key of [...odd, ...fine]) await driver.write(key, new TextEncoder().encode(key));
    const skipped: string[] = [];
    const listed = await root.readTree({ onSkipped: (entry) => skipped.push(entry.key) });
    expect(listed.map((p) => p.key).sort()).toEqual([...fine].sort());
    expect(skipped.sort()).toEqual(odd.filter((k) => !k.endsWith('/')).sort());
  });
});
