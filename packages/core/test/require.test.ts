/**
 * CommonJS programs can `require('@statestore/core')` (the package's `require` export condition; Node 20.19
 * and later load the ES module synchronously): a .cjs file, run by node, resolves the package by name.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe("require('@statestore/core') from CommonJS", () => {
  it('loads the package and works', () => {
    const out = execFileSync(process.execPath, [path.join(import.meta.dirname, 'fixtures', 'require-core.cjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out)).toEqual({ text: 'hello from require', notFound: true });
  });
});
