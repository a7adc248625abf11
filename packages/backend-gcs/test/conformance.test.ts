/**
 * The shared contract, against a real fake-gcs-server process on 127.0.0.1: one bucket for the run, a
 * fresh prefix per test, canonical URLs resolved back through this plugin.
 */
import { randomUUID } from 'node:crypto';
import { describeConformance } from '@statestore/core/conformance';
import { emulator, newBucket, openGs } from './helpers.js';

describeConformance('gs:// against fake-gcs-server', async () => {
  const bucket = await newBucket('conformance');
  const versioned = await newBucket('conformance-versioned', emulator(), true);
  return {
    newRoot: () => openGs(`gs://${bucket}/run-${randomUUID()}`),
    versionedRoot: () => openGs(`gs://${versioned}/run-${randomUUID()}`),
    missingStore: () => openGs(`gs://missing-${randomUUID()}/`),
    resolve: (url) => openGs(url),
  };
});
