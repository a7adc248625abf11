/**
 * Versions of this CLI and of the core it runs with, read from their package.json files.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function versionAt(url: string | URL): string {
  return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? '0.0.0';
}

export function cliVersion(): string {
  return versionAt(new URL('../package.json', import.meta.url));
}

export function coreVersion(): string {
  return versionAt(fileURLToPath(import.meta.resolve('@statestore/core/package.json')));
}
