/**
 * @statestore/testkit (private): real-server launchers for the integration suites, the fault proxy, the
 * OSS protocol server, the recording proxy, and shared fixtures. One launcher per file.
 */
export * from './server-process.js';
export * from './recording-proxy.js';
