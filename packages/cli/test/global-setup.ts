/**
 * The CLI tests run the built `dist/bin.js` as a child process, so the build must match the sources.
 * Fails loudly (never skips) when it does not.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

export default function setup(): void {
  const bin = path.join(root, 'dist', 'bin.js');
  let built: number;
  try {
    built = statSync(bin).mtimeMs;
  } catch {
    throw new Error(`${bin} is missing: run \`pnpm --filter @statestore/cli build\` before the tests`);
  }
  if (newest(path.join(root, 'src')) > built) throw new Error(`${bin} is older than src/: run \`pnpm --filter @statestore/cli build\` before the tests`);
  console.log(`statestore CLI under test: ${bin}`);
}
