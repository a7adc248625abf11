/**
 * What one process learns about one bucket (per endpoint and credentials) and keeps: its region, its
 * default encryption, whether a custom endpoint can encrypt (also kept between runs, see DecisionCache),
 * the precondition probe's verdict (the capabilities), and which notices were already shown. Every store
 * opened on that bucket shares it, so each is found out once.
 */
import type { Capabilities } from '@statestore/core';
import { BackendCache, freezeCapabilities, once } from '@statestore/core/driver-kit';
import { credentialsId, type S3Config } from './config.js';
import type { BucketEncryption } from './encryption.js';
import type { ProbeResult } from './precondition-probe.js';
import type { RegionInfo } from './region.js';

/** The probe's outcome: its result. */
export type ProbeOutcome = { result: ProbeResult };

/** S3 limits: object keys of at most 1,024 bytes, DeleteObjects of at most 1,000 keys. */
const MAX_KEY_BYTES = 1024;
const MAX_DELETE_BATCH = 1000;

/** What S3 is known to do without asking; conditional writes at their safe value until the probe has run. */
function capabilitiesWith(probe: Omit<ProbeResult, 'copyIfNoneMatch'>, probed: boolean): Readonly<Capabilities> {
  return freezeCapabilities({
    atomicCreate: probe.atomicCreate,
    compareAndSwap: probe.compareAndSwap,
    conditionalDelete: probe.conditionalDelete,
    fileAndPrefix: probe.fileAndPrefix,
    versions: true,
    writeMetadata: true,
    acl: true,
    serverSideCopy: true,
    streaming: true,
    rangeReads: true,
    contentType: true,
    hashes: ['md5', 'sha256'],
    maxPageSize: 1000,
    maxKeyBytes: MAX_KEY_BYTES,
    maxDeleteBatch: MAX_DELETE_BATCH,
    notes: [
      'md5 comes from the ETag, and only for single-part uploads not encrypted with SSE-KMS or SSE-C',
      'sha256 is kept in x-amz-meta-statestore-sha256 for files Statestore wrote from bytes',
      'versions: kept where bucket versioning is on (listed with s3:ListBucketVersions)',
      probed
        ? 'conditional writes and deletes, and whether a key can be both a file and a prefix, as the probe found them'
        : 'conditional writes and deletes, and whether a key can be both a file and a prefix, are checked by a probe before the first conditional write',
    ],
  });
}

export class StoreState {
  /** Until the probe has settled them: no conditional write is assumed to work. */
  capabilities: Readonly<Capabilities> = capabilitiesWith({ atomicCreate: false, compareAndSwap: false, conditionalDelete: false, fileAndPrefix: false }, false);
  /** The bucket's region, found once. */
  readonly region = once<RegionInfo>();
  /** The bucket's default encryption, read once (again after a transient failure to read it). */
  readonly encryption = once<BucketEncryption>();
  /** The probe's verdict, once it has run; the capabilities are frozen from it and never change again. */
  readonly settled = once<Readonly<Capabilities>>();
  /** Whether the custom endpoint stores objects written with SSE (decided before the first write). */
  readonly sseSupport = once<boolean>();
  probeOutcome: ProbeOutcome | undefined;
  private readonly shown = new Set<string>();

  /** Fixes the capabilities from the probe's result (once). */
  settle(result: ProbeResult): Readonly<Capabilities> {
    if (!this.probeOutcome) {
      this.probeOutcome = { result };
      this.capabilities = capabilitiesWith(result, true);
    }
    return this.capabilities;
  }

  /** The bucket's encryption could not be read for a reason that may pass: read it again next time. */
  forgetEncryption(): void {
    this.encryption.reset();
  }

  /** The endpoint refused SSE after all: decide again before the next write. */
  forgetSseSupport(): void {
    this.sseSupport.reset();
  }

  /** Shows `message` through `warn` the first time only. */
  warnOnce(message: string, warn: (message: string) => void): void {
    if (this.shown.has(message)) return;
    this.shown.add(message);
    warn(message);
  }
}

const states = new BackendCache<StoreState>();

/** The shared state of the store `config` points at. */
export function stateFor(config: S3Config): StoreState {
  return states.get([config.endpoint ?? config.awsEndpoint ?? 'aws', config.bucket, credentialsId(config.credentials)], () => new StoreState());
}
