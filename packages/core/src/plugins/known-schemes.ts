/**
 * plugins/known-schemes owns the schemes Statestore knows by name, installed or not: the two built into
 * core, the package of this project that serves each of the others (for "install it" messages), the kops
 * schemes no package of this project serves, the form a URL of each takes (for messages that show one),
 * and the did-you-mean for a scheme nobody serves. Messages name only packages this project publishes,
 * never a guessed `statestore-backend-<x>` that anyone could register. No imports: the URL parser reads it
 * before any plugin is discovered.
 */

/** The package of this project that serves each scheme, for the "install it" message. Only `@statestore/*`. */
export const KNOWN_SCHEME_PACKAGES: Readonly<Record<string, string>> = {
  s3: '@statestore/backend-s3',
  do: '@statestore/backend-s3',
  linode: '@statestore/backend-s3',
  hos: '@statestore/backend-s3',
  scw: '@statestore/backend-s3',
  gs: '@statestore/backend-gcs',
  swift: '@statestore/backend-swift',
  oss: '@statestore/backend-oss',
  vault: '@statestore/backend-vault',
  k8s: '@statestore/backend-k8s',
};

/**
 * Schemes kops reads that no package of this project serves, with what the user can do. `azureblob://`:
 * the repository's example plugin serves it, but it is an example to build (or publish under your own
 * name), not a package we publish.
 */
export const SCHEMES_WITHOUT_PACKAGE: Readonly<Record<string, string>> = {
  azureblob:
    'azureblob:// is Azure Blob Storage, which kops reads; Statestore publishes no backend for it. The Statestore repository has a complete example plugin in examples/statestore-backend-azureblob: build and install it yourself as its README says.',
};

export const BUILT_IN_SCHEMES = ['file', 'memfs'] as const;

/** True for a scheme core serves or a package we know of does (lowercase). */
export function isKnownScheme(scheme: string): boolean {
  return knownSchemes().includes(scheme);
}

/** What a complete URL of `scheme` looks like, e.g. `s3://BUCKET/PATH`. */
export function exampleUrl(scheme: string): string {
  if (scheme === 'file') return 'file:///ABSOLUTE/PATH';
  if (scheme === 'memfs') return 'memfs://NAME';
  if (scheme === 'vault') return 'vault://HOST:PORT/MOUNT/PATH';
  if (scheme === 'swift') return 'swift://CONTAINER/PATH';
  return `${scheme}://BUCKET/PATH`;
}

/** A known scheme one edit away from `scheme` (a typo such as `s4` or `gcs` → `gs`), if there is one. */
export function closestKnownScheme(scheme: string): string | undefined {
  return knownSchemes().find((known) => known !== scheme && editDistance(known, scheme) <= 1);
}

/** Every scheme known by name: built in, served by a package of ours, or read by kops. */
export function knownSchemes(): string[] {
  return [...BUILT_IN_SCHEMES, ...Object.keys(KNOWN_SCHEME_PACKAGES), ...Object.keys(SCHEMES_WITHOUT_PACKAGE)];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
