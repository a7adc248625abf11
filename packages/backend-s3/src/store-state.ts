/**
 * What one process learns about one bucket (per endpoint and credentials) and keeps: its region, its
 * default encryption, whether a custom endpoint can encrypt (also kept between runs, see DecisionCache),
 * the precondition probe's verdict (the capabilities), and which notices were already shown. Every store
 * opened on that bucket shares it, so each is found out once.
 */
import type { Capabilities } from '@statestore/core';
import { credentialsId, type S3Config } from './config.js';
import type { BucketEncryption } from './encryption.js';
import type { ProbeResult } from './precondition-probe.js';
import type { RegionInfo } from './region.js';

/** The probe's outcome: its result, or why it could not run. */
export type ProbeOutcome = { result: ProbeResult } | { error: string };

export class StoreState {
  /** Starts optimistic for create and compare-and-swap (S3 and current S3-compatibles honour both); the probe corrects it. */
  readonly capabilities: Capabilities = {
    atomicCreate: true,
    compareAndSwap: true,
    conditionalDelete: false,
    versions: false,
    acl: true,
    serverSideCopy: true,
    streaming: true,
    rangeReads: true,
    hashes: ['md5', 'sha256'],
    maxPageSize: 1000,
    notes: [
      'md5 comes from the ETag, and only for single-part uploads not encrypted with SSE-KMS or SSE-C',
      'sha256 is kept in x-amz-meta-statestore-sha256 for files Statestore wrote from bytes',
      'conditional writes and deletes are checked by a probe before the first write',
    ],
  };
  region: Promise<RegionInfo> | undefined;
  encryption: Promise<BucketEncryption> | undefined;
  /** Whether the custom endpoint stores objects written with SSE (decided before the first write). */
  sseSupport: Promise<boolean> | undefined;
  probe: Promise<void> | undefined;
  probeOutcome: ProbeOutcome | undefined;
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
