/**
 * One page of a gs:// listing as the Backend contract promises it: files and folders in one byte order, never
 * more entries than asked. The JSON API returns `items` and `prefixes` as two arrays, and an emulator
 * (fake-gcs-server) returns every prefix however small the page. So the driver merges the two arrays, cuts the
 * page itself where the service sent too much, and resumes after the cut with `startOffset`. The page token
 * the driver hands out is its own (where to resume, an entry to skip there, the service's token), so a
 * listing continues correctly whichever way the previous page ended.
 */
import { InvalidConfigError } from '@statestore/core';

/** Where the next page starts: a name to start at, an entry there already listed, the service's own token. */
export interface ListCursor {
  startOffset?: string;
  skip?: string;
  serviceToken?: string;
}

/** One merged entry: a file (its index in `items`) or a folder. */
export interface ListEntry {
  name: string;
  item?: number;
}

const TOKEN_PREFIX = 'gcs1:';

/** The cursor inside a page token this driver handed out; none for the first page. */
export function cursorFrom(pageToken: string | undefined, url: string): ListCursor {
  if (!pageToken) return {};
  if (!pageToken.startsWith(TOKEN_PREFIX)) {
    throw new InvalidConfigError(`Page token "${pageToken.slice(0, 40)}" for ${url} was not made by the gs:// driver; pass the nextPageToken of the previous page`);
  }
  return JSON.parse(Buffer.from(pageToken.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8')) as ListCursor;
}

/**
 * The entries of one response in byte order, without the entry the cursor already listed, cut at `pageSize`,
 * with the token of the next page (undefined at the end of the listing).
 */
export function cutPage(
  itemNames: readonly string[],
  prefixes: readonly string[],
  serviceToken: string | undefined,
  cursor: ListCursor,
  pageSize: number,
): { entries: ListEntry[]; nextPageToken?: string } {
  const entries: ListEntry[] = [...itemNames.map((name, item) => ({ name, item })), ...prefixes.map((name) => ({ name }))]
    .filter((entry) => entry.name !== cursor.skip)
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  if (entries.length > pageSize) {
    const page = entries.slice(0, pageSize);
    const last = page[pageSize - 1]!;
    // After a folder: the first name past everything below it. After a file: that file, skipped when seen again.
    const next: ListCursor = last.item === undefined ? { startOffset: pastFolder(last.name) } : { startOffset: last.name, skip: last.name };
    return { entries: page, nextPageToken: tokenOf(next) };
  }
  if (!serviceToken) return { entries };
  return { entries, nextPageToken: tokenOf({ ...cursor, serviceToken }) };
}

/** The smallest name greater than every name that starts with `folder` (its last character, plus one). */
function pastFolder(folder: string): string {
  return folder.slice(0, -1) + String.fromCharCode(folder.charCodeAt(folder.length - 1) + 1);
}

function tokenOf(cursor: ListCursor): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}
