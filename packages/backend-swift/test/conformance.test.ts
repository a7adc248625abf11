/**
 * The shared contract against a real OpenStack Swift (Debian's packages, tempauth) on 127.0.0.1: one
 * container for the run, a fresh prefix per test, canonical URLs resolved back through this plugin. Segments
 * of 4 MiB make the 16 MiB round trip a static large object.
 */
import { randomUUID } from 'node:crypto';
import { describeConformance } from '@statestore/core/conformance';
import { createContainer, newContainer, openSwift, tempauthEnv } from './helpers.js';

const options = { segmentSize: 4 * 1024 * 1024, listPageSize: 7 };

describeConformance('swift:// against OpenStack Swift', async () => {
  const env = tempauthEnv();
  const container = newContainer('conformance');
  await createContainer(container, env);
  return {
    newRoot: () => openSwift(`swift://${container}/run-${randomUUID()}`, env, options),
    missingStore: () => openSwift(`swift://missing-${randomUUID()}/`, env, options),
    resolve: (url) => openSwift(url, env, options),
  };
});
