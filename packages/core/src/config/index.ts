/**
 * config/ owns what the design gives core about cluster configuration, usable without the CLI: where
 * the state store is (kops's four places), the kops object model (Cluster, InstanceGroup at
 * kops.k8s.io/v1alpha2) with every `create cluster` option and kops's defaults, kops's validation,
 * kops-style YAML that keeps comments on edit, merging command-line options into a stored cluster, kops's
 * set/unset field paths, the store layout, the completed spec's store fields, which stores nodes can read,
 * the vault:// rules, GitOps (manifests in `get all` form planned against the store and applied with
 * compare-and-swap), and replacing objects with documents (every document checked before the first write).
 */
export * from './kops-model.js';
export { KopsYamlDocument, stringifyKopsObject, splitKopsDocuments, joinKopsDocuments, compareKopsKeys, sortKopsKeys, looksLikeNonString, detectLayout, KOPS_LAYOUT, type YamlLayout } from './kops-yaml.js';
export { locateStateStore, findStateStore, kopsConfigFiles, STATE_STORE_HELP, type StateStoreLocation, type StateStoreSource, type LocateStateStoreOptions } from './state-store-location.js';
export { assertNotVaultConfigStore, assertNotVaultTarget, assertStateStoreNotVault, assertVaultStoresAllowed, isVaultUrl, type ClusterStores } from './vault-guards.js';
export {
  DEFAULT_CHANNEL,
  DEFAULT_KUBERNETES_VERSION,
  DEFAULT_NETWORKING,
  KOPS_CLOUDS,
  defaultImage,
  defaultMachineType,
  guessCloudForPath,
  guessCloudForZones,
  parseKubernetesVersion,
  type KopsCloud,
  type KubernetesVersion,
  type MachineRole,
} from './kops-defaults.js';
export { newCluster, type NewClusterOptions, type NewClusterResult, type OpenstackOptions, type AzureOptions } from './new-cluster.js';
export { applyNetworking, NETWORKING_OPTIONS } from './new-cluster-network.js';
export { trimCommonPrefix } from './new-cluster-groups.js';
export { applyCreateClusterOptions, type CreateClusterOptions } from './create-cluster-options.js';
export { parseCloudLabels } from './cloud-labels.js';
export { parseSshPublicKey, sshPublicKeyLocation, type SshPublicKey } from './ssh-public-key.js';
export { isFeatureEnabled, type KopsFeatureFlag } from './feature-flags.js';
export { clusterRegionProblems, gceZoneToRegion, azureZoneToLocation } from './cloud-regions.js';
export { newInstanceGroup, parseInstanceGroupRole, type NewInstanceGroupOptions } from './new-instance-group.js';
export { performAssignments, assignSubnetCidrs } from './assignments.js';
export { buildCluster, dryRunObjects, withClusterLabel, prepareUserCluster, type BuildClusterOptions, type BuiltCluster } from './build-cluster.js';
export { assertNoReshaping, mergeClusterOptions, mergeInstanceGroupOptions, nodeCountShares, touchesInstanceGroups, RESHAPING_FLAGS, type ClusterMergeOptions } from './cluster-merge.js';
export { setField, setFields, unsetField, unsetFields, splitSetFlag, splitUnsetFlag, type KopsKind } from './set-fields.js';
export { parseFieldPath, formatFieldPath, type FieldPathElement } from './field-path.js';
export { parseGoDuration, formatGoDuration } from './go-duration.js';
export { validateCluster, clusterNameErrors, validateInstanceGroup, assertValidCluster, assertValidInstanceGroup, isDns1123Subdomain, type ClusterValidationOptions } from './validate.js';
export * from './store-layout.js';
export { unreadableByNodes, type UnreadableStore } from './node-access.js';
export { completeStoreSpec, isWrittenByStatestore, STATESTORE_COMPLETED_SPEC_MARKER } from './completed-spec.js';
export { configBaseFolder, REVIEW_FILES, type ConfigBaseFolder } from './config-base-files.js';
export { withClusterLease, clusterLeasePath, clusterLeaseFolder, listClusterLeases, LEASE_ENV, DEFAULT_LEASE_WAIT_MS, type ClusterLeaseOptions } from './cluster-lease.js';
export { ClusterRegistry, decodeCluster, decodeInstanceGroup, type ClusterRegistryOptions, type StoredCluster, type StoredInstanceGroup, type ClusterDeletePlan, type DocumentMutation } from './cluster-registry.js';
export { readManifests, type ManifestFile, type ManifestObject, type ClusterManifests, type PlanDocument, type ReadManifestsOptions } from './manifests.js';
export { parseAddonObjects, serializeAddonObjects, mergeAddonObjects, addonObjectErrors, toAddonObject, type AddonObject, type MergedAddonObjects } from './addon-objects.js';
export { readClusterState, readFileVersion, storeKey, clusterDocuments, type ClusterState, type ObjectRead, type ReadVersion, type StoredFile, type StoredClusterConfig, type StoredGroup, type StoredAddons } from './cluster-state.js';
export { planCluster, planSummary, plannedPath, assertValidOutcome, PLAN_FORMAT, type ClusterPlan, type PlannedChange, type PlannedKind, type ChangeAction, type PlanOptions } from './plan.js';
export { parsePlan, stringifyPlan } from './plan-file.js';
export { applyPlan, applyManifests, type ApplyOptions, type ApplyReport, type ClusterLeaseRunner } from './apply.js';
export { writeAtVersion, removeAtVersion, carryOutWrites, type PlannedWrite } from './apply-writes.js';
export { StalePlanError, ApplyIncompleteError, type MovedObject, type WriteOutcome, type FailedWrite, type IncompleteApply } from './apply-errors.js';
export { planReplace, type ReplacePlan, type ReplaceResult, type ReplaceOptions } from './replace-objects.js';
