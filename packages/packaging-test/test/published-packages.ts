/**
 * The workspace's published packages (every package.json under packages/ and examples/ that is not
 * private) and packing them with `pnpm pack`, exactly as `pnpm publish` would (workspace: ranges are
 * replaced by real versions).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const WORKSPACE = path.resolve(import.meta.dirname, '../../..');

export interface PublishedPackage {
  name: string;
  version: string;
  /** Folder, relative to the workspace root. */
  dir: string;
  /** `backend` when package.json has a `statestore.schemes` field. */
  kind: 'core' | 'cli' | 'backend';
  schemes: string[];
}

export function publishedPackages(): PublishedPackage[] {
  const out: PublishedPackage[] = [];
  for (const group of ['packages', 'examples']) {
    for (const entry of readdirSync(path.join(WORKSPACE, group)).sort()) {
      const file = path.join(WORKSPACE, group, entry, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string; private?: boolean; bin?: unknown; statestore?: { schemes?: string[] } };
      if (pkg.private) continue;
      const schemes = pkg.statestore?.schemes ?? [];
      const kind = schemes.length > 0 ? 'backend' : pkg.bin ? 'cli' : 'core';
      out.push({ name: pkg.name, version: pkg.version, dir: `${group}/${entry}`, kind, schemes });
    }
  }
  return out;
}

/** Packs one package into `destination`; returns the tarball's path. */
export function pack(pkg: PublishedPackage, destination: string): string {
  const out = execFileSync('pnpm', ['pack', '--pack-destination', destination, '--json'], {
    cwd: path.join(WORKSPACE, pkg.dir),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { filename } = JSON.parse(out.slice(out.indexOf('{'))) as { filename: string };
  return filename;
}
