/** The x-amz-copy-source value for an object: `bucket/key`, percent-encoded except for the `/` separators. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
}
