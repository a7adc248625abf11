/**
 * One file as one Secret: the object written, and core's ObjectInfo read back from its metadata. The bytes
 * are the Secret's only data entry; the key, size, SHA-256, modification time and content type are
 * annotations written with them, so stats and listings can ask for metadata only; write metadata is kept as
 * `statestore.meta/<name>` annotations. The version token is the Secret's resourceVersion.
 */
import type { V1ObjectMeta, V1Secret } from '@kubernetes/client-node';
import { type ObjectInfo } from '@statestore/core';
import { metadataFromHeaders, metadataHeaders } from '@statestore/core/driver-kit';
import { labelsFor, secretNameFor } from './names.js';

/** The Secret type of files, shown by `kubectl get secrets`. */
export const SECRET_TYPE = 'statestore/file';
/** The data entry holding the bytes. */
export const DATA_ENTRY = 'file';
/** Kubernetes' limit on a Secret's data: 1 MiB. */
export const MAX_FILE_BYTES = 1024 * 1024;

export const ANNOTATIONS = {
  key: 'statestore/key',
  size: 'statestore/size',
  sha256: 'statestore/sha256',
  modified: 'statestore/modified',
  contentType: 'statestore/content-type',
} as const;
/** The annotation prefix of write metadata (`WriteOptions.metadata`). */
export const METADATA_PREFIX = 'statestore.meta/';

export interface FileFacts {
  sha256: string;
  contentType?: string;
  metadata?: Record<string, string>;
  /** The resourceVersion the write is conditional on (compare-and-swap), if any. */
  resourceVersion?: string;
}

/** The Secret that stores `bytes` under `key`. */
export function secretFor(namespace: string, key: string, bytes: Uint8Array, facts: FileFacts): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: SECRET_TYPE,
    metadata: {
      name: secretNameFor(key),
      namespace,
      labels: labelsFor(key),
      annotations: {
        [ANNOTATIONS.key]: key,
        [ANNOTATIONS.size]: String(bytes.byteLength),
        [ANNOTATIONS.sha256]: facts.sha256,
        [ANNOTATIONS.modified]: new Date().toISOString(),
        ...(facts.contentType ? { [ANNOTATIONS.contentType]: facts.contentType } : {}),
        ...metadataHeaders(facts.metadata, METADATA_PREFIX),
      },
      ...(facts.resourceVersion !== undefined ? { resourceVersion: facts.resourceVersion } : {}),
    },
    data: { [DATA_ENTRY]: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') },
  };
}

/**
 * The info of a Secret written by this backend, or undefined when the Secret is not one of its files (no
 * key annotation, or a name that is not the key's).
 */
export function infoFromMetadata(metadata: V1ObjectMeta | undefined): ObjectInfo | undefined {
  const annotations = metadata?.annotations ?? {};
  const key = annotations[ANNOTATIONS.key];
  if (key === undefined || metadata?.name !== secretNameFor(key) || !metadata.resourceVersion) return undefined;
  const sha256 = annotations[ANNOTATIONS.sha256];
  const modified = annotations[ANNOTATIONS.modified];
  const contentType = annotations[ANNOTATIONS.contentType];
  return {
    key,
    size: Number(annotations[ANNOTATIONS.size] ?? 0),
    version: metadata.resourceVersion,
    ...(modified ? { modified: new Date(modified) } : {}),
    hashes: sha256 && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {},
    ...(contentType ? { contentType } : {}),
    ...metadataOf(annotations),
  };
}

function metadataOf(annotations: Record<string, string>): { metadata?: Record<string, string> } {
  const metadata = metadataFromHeaders(annotations, METADATA_PREFIX);
  return metadata ? { metadata } : {};
}

/** The bytes of a Secret read in full. */
export function bytesOf(secret: V1Secret): Uint8Array {
  return Buffer.from(secret.data?.[DATA_ENTRY] ?? '', 'base64');
}
