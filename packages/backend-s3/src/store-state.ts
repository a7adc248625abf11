/**
 * What one process learns about one bucket (per endpoint and credentials) and keeps: its region, its
 * default encryption, whether a custom endpoint can encrypt (also kept between runs, see DecisionCache),
 * the precondition probe's verdict (the capabilities), and which notices were already shown. Every store
 * opened on that bucket shares it, so each is found out once.
 */
import { freezeCapabilities, type Capabilities } from '@statestore/core';
import { credentialsId, type S3Config } from './config.js';
import type { BucketEncryption } from './encryption.js';
import type { ProbeResult } from './precondition-probe.js';
import type { RegionInfo } from './region.js';

/** The probe's outcome: its result. */
export type ProbeOutcome = { result: ProbeResult };

/** What S3 is known to do without asking; conditional writes at their safe value until the probe has run. */
function capabilitiesWith(conditional: { atomicCreate: boolean; compareAndSwap: boolean; conditionalDelete: boolean }, probed: boolean): Readonly<Capabilities> {
  return freezeCapabilities({
    ...conditional,
    versions: true,
    writeMetadata: true,
    acl: true,
    serverSideCopy: true,
    streaming: true,
    rangeReads: true,
    hashes: ['md5', 'sha256'],
    maxPageSize: 1000,
    notes: [
      'md5 comes from the ETag, and only for single-part uploads not encrypted with SSE-KMS or SSE-C',
      'sha256 is kept in x-amz-meta-statestore-sha256 for files Statestore wrote from bytes',
      'versions: kept where bucket versioning is on (listed with s3:ListBucketVersions)',
      probed ? 'conditional writes and deletes as the probe found them' : 'conditional writes and deletes are checked by a probe before the first conditional write',
    ],
  });
}

export class StoreState {
  /** Until the probe has settled them: no conditional write is assumed to work. */
  capabilities: Readonly<Capabilities> = capabilitiesWith({ atomicCreate: false, compareAndSwap: false, conditionalDelete: false }, false);
  region: Promise<RegionInfo> | undefined;
  encryption: Promise<BucketEncryption> | undefined;
  /** The probe's verdict, once it has run; the capabilities are frozen from it and never change again. */
  settled: Promise<Readonly<Capabilities>> | undefined;
  /** Whether the custom endpoint stores objects written with SSE (decided before the first write). */
  sseSupport: Promise<boolean> | undefined;
  probeOutcome: ProbeOutcome | undefined;

  /** Fixes the capabilities from the probe's result (once). */
  settle(result: ProbeResult): Readonly<Capabilities> {
    if (!this.probeOutcome) {
      this.probeOutcome = { result };
      this.capabilities = capabilitiesWith(result, true);
    }
    return this.capabilities;
  }
  private readonly shown = new Set<string>();

  /** Shows `message` through `warn` the first time only. */
  warnOnce(message: string, warn: (message: string) => void): void {
    if (this.shown.has(message)) return;
    this.shown.add(message);
    warn(message);
  }
}

const states = new Map<string, StoreState>();

/** The shared state of the store `config` points at. */
export function stateFor(config: S3Config): StoreState {
  const key = JSON.stringify([config.endpoint ?? config.awsEndpoint ?? 'aws', config.bucket, credentialsId(config.credentials)]);
  let state = states.get(key);
  if (!state) {
    state = new StoreState();
    states.set(key, state);
  }
  return state;
}
