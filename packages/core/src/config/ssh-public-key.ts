/**
 * The admin SSH public key `create cluster --ssh-public-key` stores, where kops stores it
 * (upup/pkg/fi/vfs_castore.go): `{keyStore}/ssh/public/admin/{id}`, the key store being `spec.keyStore`
 * or `{configBase}/pki`, the id the MD5 of the key blob in hex without colons, the content the file's
 * bytes as read. The key must parse as an OpenSSH authorized_keys line, as kops checks.
 */
import { createHash } from 'node:crypto';
import { InvalidConfigError } from '../errors/errors.js';
import { joinStorePath } from './store-layout.js';

/** The key file's text and the id kops names it by. */
export interface SshPublicKey {
  text: string;
  /** MD5 of the key blob, lower-case hex, no colons. */
  id: string;
}

/** Checks an authorized_keys line (`type base64 [comment]`, options first allowed) and computes its id. */
export function parseSshPublicKey(text: string, source: string): SshPublicKey {
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/);
    for (let i = 0; i + 1 < fields.length; i++) {
      const blob = keyBlob(fields[i]!, fields[i + 1]!);
      if (blob) return { text, id: createHash('md5').update(blob).digest('hex') };
    }
    break;
  }
  throw new InvalidConfigError(`error reading SSH key file ${JSON.stringify(source)}: error parsing SSH public key: not an OpenSSH public key (expected e.g. "ssh-ed25519 AAAA… comment")`, {
    url: source,
  });
}

/** The decoded key blob when `type` and `data` form a key (the blob starts with its own type name). */
function keyBlob(type: string, data: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return undefined;
  const blob = Buffer.from(data, 'base64');
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length + 4 > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1') === type ? blob : undefined;
}

/** `{keyStore}/ssh/public/admin/{id}`: keyStore is spec.keyStore, else `{configBase}/pki`. */
export function sshPublicKeyLocation(spec: { keyStore?: string; configBase?: string }, id: string): string {
  const keyStore = spec.keyStore || joinStorePath(spec.configBase ?? '', 'pki');
  return joinStorePath(keyStore, `ssh/public/admin/${id}`);
}
