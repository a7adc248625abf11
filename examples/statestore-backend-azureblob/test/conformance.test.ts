/**
 * The whole Statestore contract, run against Azurite: one call of the shared conformance suite.
 */
import { randomUUID } from 'node:crypto';
import { describeConformance } from '@statestore/core/conformance';
import { azurite, newContainer, open } from './harness.js';

describeConformance('azureblob against Azurite', async () => {
  const container = await newContainer();
  return {
    // listPageSize 7 makes every listing span many pages (continuation tokens on every test).
    newRoot: () => open(`${container}run-${randomUUID()}`, { listPageSize: 7 }),
    missingStore: () => open(`azureblob://${azurite().account}/missing-${randomUUID().slice(0, 18)}/`),
    resolve: (url) => open(url),
  };
});
