/**
 * The shared contract through ali-oss against testkit's OSS-protocol server (a real HTTP server on 127.0.0.1
 * that verifies every request signature): one bucket for the run, a fresh prefix per test, listings in pages of
 * 50 so that continuation tokens are exercised, canonical URLs resolved back through this plugin.
 */
import { randomUUID } from 'node:crypto';
import { describeConformance } from '@statestore/core/conformance';
import { newBucket, openOss, ossServer } from './helpers.js';

describeConformance('oss:// through ali-oss against the testkit OSS-protocol server', async () => {
  const bucket = await newBucket('conformance');
  const versioned = await newBucket('conformance-versioned', ossServer(), true);
  return {
    newRoot: () => openOss(`oss://${bucket}/run-${randomUUID()}`, { listPageSize: 50 }),
    versionedRoot: () => openOss(`oss://${versioned}/run-${randomUUID()}`, { listPageSize: 50 }),
    missingStore: () => openOss(`oss://missing-${randomUUID()}/`),
    resolve: (url) => openOss(url, { listPageSize: 50 }),
  };
});
