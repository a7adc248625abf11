/**
 * vitest globalSetup: starts Azurite once for the whole run and provides its address to the tests
 * (`inject('azurite')`). A failure to start fails the run.
 */
import type { TestProject } from 'vitest/node';
import { type AzuriteInfo, startAzurite } from './azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azurite: AzuriteInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  const { stop, ...info } = azurite;
  project.provide('azurite', info);
  return stop;
}
