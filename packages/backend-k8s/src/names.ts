/**
 * Where a key lives in Kubernetes: the Secret name, and the labels that let a listing ask the API server
 * for one folder's files.
 *
 * A Secret name is `statestore-` plus the unpadded base32hex (lowercase) encoding of the key's UTF-8 bytes.
 * That alphabet (`0-9a-v`) is valid in a name and sorts in the same order as the bits it encodes, so
 * Kubernetes, which lists a namespace in name order, lists files in key order (byte order of the keys, as
 * object stores do) and its `continue` tokens are page tokens in key order. The price is the name's limit
 * of 253 characters: keys of at most {@link MAX_KEY_BYTES} bytes.
 *
 * Kubernetes cannot list by name prefix, so each Secret carries one label per folder above it
 * (`dir.statestore/` plus a hash of the folder's prefix); listing a folder selects that label.
 */
import { createHash } from 'node:crypto';

/** Every Secret name of this backend starts with this. */
export const SECRET_NAME_PREFIX = 'statestore-';
/** Kubernetes' limit on object names (a DNS subdomain). */
const MAX_NAME_LENGTH = 253;
/** The longest key (in UTF-8 bytes) whose Secret name fits: 151. */
export const MAX_KEY_BYTES = Math.floor(((MAX_NAME_LENGTH - SECRET_NAME_PREFIX.length) * 5) / 8);

/** The label every Secret of this backend carries (and listings of the whole store select). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'statestore';
/** Prefix of the per-folder labels. */
const FOLDER_LABEL_PREFIX = 'dir.statestore/';

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** UTF-8 length of a key. */
export function keyBytes(key: string): number {
  return Buffer.byteLength(key, 'utf8');
}

/** The Secret name of a key. The caller has checked that the key is at most MAX_KEY_BYTES long. */
export function secretNameFor(key: string): string {
  let out = SECRET_NAME_PREFIX;
  let bits = 0;
  let value = 0;
  for (const byte of Buffer.from(key, 'utf8')) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32HEX[(value >>> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32HEX[(value << (5 - bits)) & 31];
  return out;
}

/** The label that marks every file below `folder` (a prefix ending in `/`). */
export function folderLabel(folder: string): string {
  return FOLDER_LABEL_PREFIX + createHash('sha256').update(folder, 'utf8').digest('hex').slice(0, 40);
}

/** The labels of a key's Secret: managed-by, and one per folder above the key. */
export function labelsFor(key: string): Record<string, string> {
  const labels: Record<string, string> = { [MANAGED_BY_LABEL]: MANAGED_BY };
  for (let slash = key.indexOf('/'); slash !== -1; slash = key.indexOf('/', slash + 1)) {
    labels[folderLabel(key.slice(0, slash + 1))] = '';
  }
  return labels;
}

/** The label selector for the files below a listing prefix (`''` or ending in `/`). */
export function selectorFor(prefix: string): string {
  const managed = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  return prefix === '' ? managed : `${managed},${folderLabel(prefix)}`;
}
