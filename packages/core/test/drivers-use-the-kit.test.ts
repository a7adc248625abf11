/**
 * What every driver needs is written once, in `@statestore/core/driver-kit`; this test fails when a
 * driver's `src` (every backend package, and the azureblob example) writes its own again: a list of
 * network error codes, a switch over HTTP statuses, a stream wrapper class, a memoised promise kept in a
 * field (`once()`), a yes/no parser of its own, or a backend/client cache in a Map keyed by text.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');

/** What the kit owns, each with a pattern that finds a driver's own copy of it. */
const OWN_COPIES: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  { what: 'a list of network error codes (driver-kit: isTransientNetworkError, networkError)', pattern: /'(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH)'/ },
  { what: 'a switch over HTTP statuses (driver-kit: errorForStatus)', pattern: /switch \([^)]*\b(status|statusCode|code)\)\s*\{[^}]*case 40\d/s },
  { what: 'a "5xx is transient" rule (driver-kit: isTransientStatus)', pattern: /\b(status|statusCode)\w*\s*>=\s*500\b[\s\S]{0,200}?Transient/ },
  { what: 'a stream wrapper class (driver-kit: responseBody, uploadBody)', pattern: /class \w+ extends (Readable|Transform|PassThrough|Duplex)\b/ },
  { what: 'a stream wrapper generator (driver-kit: responseBody, uploadBody)', pattern: /async \*\w+\([^)]*\b(stream|body|source)\b[^)]*\)[^{]*\{[^}]*for await \(const \w+ of \w+\)/s },
  { what: 'a memoised promise in a field (driver-kit: once)', pattern: /(private|#)\s*\w+\??:\s*Promise<[^;]*>\s*\|\s*undefined/ },
  { what: 'a yes/no parser (driver-kit: parseBoolean, booleanVariable)', pattern: /\[\s*'1',\s*'t'|\benv\w*(\.\w+|\[[^\]]+\])(\?\.|\.)?(toLowerCase\(\)|trim\(\))?\s*===\s*'(true|1|yes)'/ },
  { what: 'a backend or client cache keyed by text (driver-kit: BackendCache)', pattern: /new Map<string,\s*(Promise<)?\w*(Backend|Client|Storage|State)\b/ },
];

function driverSources(): string[] {
  const roots = [
    ...readdirSync(path.join(repo, 'packages'))
      .filter((name) => name.startsWith('backend-'))
      .map((name) => path.join(repo, 'packages', name, 'src')),
    path.join(repo, 'examples', 'statestore-backend-azureblob', 'src'),
  ];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) files.push(full);
    }
  };
  roots.forEach(walk);
  return files;
}

describe('drivers take what is generic from the driver kit', () => {
  const files = driverSources();

  it('finds the sources of every backend package and the azureblob example', () => {
    for (const driver of ['backend-s3', 'backend-gcs', 'backend-oss', 'backend-swift', 'backend-vault', 'backend-k8s', 'statestore-backend-azureblob']) {
      expect(files.some((f) => f.includes(`${path.sep}${driver}${path.sep}src${path.sep}`)), driver).toBe(true);
    }
  });

  it('no driver writes its own copy of what the kit owns', () => {
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const { what, pattern } of OWN_COPIES) {
        const match = pattern.exec(text);
        if (match) found.push(`${path.relative(repo, file)}:${text.slice(0, match.index).split('\n').length}: ${what}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('each pattern finds the copy it is about (so that the check above can fail)', () => {
    const samples = [
      "const NETWORK = new Set(['ECONNRESET', 'EPIPE']);",
      'switch (status) {\n  case 404: return missing();\n}',
      'if (res.statusCode >= 500) {\n    return new TransientError(message);',
      'class Counted extends Transform {}',
      'private async *mapped(stream: Readable, url: string): AsyncGenerator<Uint8Array> {\n    try {\n      for await (const chunk of stream) yield chunk;',
      'private client: Promise<Client> | undefined;',
      "return ['1', 't', 'true'].includes(value);",
      'const clients = new Map<string, Promise<BlobServiceClient>>();',
    ];
    OWN_COPIES.forEach(({ what, pattern }, i) => expect(pattern.test(samples[i]!), what).toBe(true));
  });
});
