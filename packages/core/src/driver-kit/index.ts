/**
 * @statestore/core/driver-kit: what every driver needs, written once. A driver maps what is particular to
 * its service and takes the rest from here: classifying network failures and HTTP statuses into core's
 * typed errors, response and upload bodies (errors mapped, aborts honoured), `once()` for what it sets up
 * lazily, settings parsed in one dialect (endpoints, yes/no, numbers, choices), the sorted-key pager, a
 * backend cache keyed by the store's identity, batch deletes one by one, the probe of which preconditions a
 * service honours, frozen capabilities, write metadata in headers, the HTTP settings and deadlines every
 * network driver runs under, and the per-request log (`-v 4`) for transports core does not see by itself.
 * Importing it loads no cloud SDK; core's main entry never imports it.
 */
export { TRANSIENT_NETWORK_CODES, networkErrorCode, isTransientNetworkError, isUntrustedCertificate, networkError, serviceDetail, type NetworkContext } from './network-errors.js';
export { errorForStatus, isTransientStatus, type StatusContext } from './http-status.js';
export { responseBody, uploadBody, collectBody, bytesBody, emptyBody, rangeOfBody, type ResponseBodyOptions, type CollectOptions } from './streams.js';
export { once, type Once } from './once.js';
export { envValue, parseBoolean, booleanVariable, integerOption, choiceOption, type IntegerBounds } from './options.js';
export { pageOfSortedKeys, lowerBound, type KeyPage } from './list-pager.js';
export { BackendCache, defaultIdentity, identityKey, type Identity } from './backend-cache.js';
export { deleteEach } from './delete-each.js';
export { probePreconditions, PROBE_NAME_PREFIX, type ProbeOperations, type ProbeVerdict } from './precondition-probe.js';
export { freezeCapabilities, settledCapabilities } from '../backend/capabilities.js';
export { unwrapBackend } from '../backend/layer.js';
export { checkWriteMetadata, metadataHeaders, metadataFromHeaders } from '../backend/write-metadata.js';
export { httpSettingsFor, proxyFor, nodeAgents, type HttpSettings, type HttpSettingsOptions } from '../http/http-settings.js';
export { deadlinesFrom, deadlineFor, timeoutMsFrom, REQUEST_DEADLINE_TIMEOUTS, MIN_BYTES_PER_SECOND, type Deadlines } from '../http/deadlines.js';
export { RequestScope } from '../http/request-scope.js';
export { requestStarted, type RequestEvent } from '../http/request-log.js';
export { watchDownload, watchUpload, type ThroughputRule } from '../http/throughput-watchdog.js';
export { withDeadlines, runWithDeadline } from '../http/deadline-layer.js';
export { parseEndpoint, endpointText, type EndpointOptions } from '../http/endpoint.js';
export { runLimited } from '../path/run-limited.js';
