/**
 * plugins/known-schemes owns the schemes Statestore knows by name, installed or not: the two built into
 * core and the package that serves each of the others (for "install it" messages), the form a URL of each
 * takes (for messages that show one), and the did-you-mean for a scheme nobody serves. No imports: the
 * URL parser reads it before any plugin is discovered.
 */

/** The package that serves each scheme we know of, for the "install it" message. */
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
  azureblob: 'statestore-backend-azureblob',
};

export const BUILT_IN_SCHEMES = ['file', 'memfs'] as const;

/** True for a scheme core serves or a package we know of does (lowercase). */
export function isKnownScheme(scheme: string): boolean {
  return (BUILT_IN_SCHEMES as readonly string[]).includes(scheme) || Object.hasOwn(KNOWN_SCHEME_PACKAGES, scheme);
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
  return [...BUILT_IN_SCHEMES, ...Object.keys(KNOWN_SCHEME_PACKAGES)].find((known) => known !== scheme && editDistance(known, scheme) <= 1);
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
