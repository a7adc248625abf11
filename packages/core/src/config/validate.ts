/**
 * The checks kops runs before it writes a Cluster (pkg/apis/kops/validation: ValidateCluster,
 * DeepValidate, ValidateClusterUpdate, plus BuildCloud's region checks), ported for the cases that need
 * no cloud call. `assertValidCluster` is the one entry point every write path uses — create, set, unset,
 * edit, replace, update and (issue 22) apply — so a cluster Statestore accepts is one kops accepts.
 * Messages are kops's (`spec.x: Invalid value: …`), collected and reported together.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { clusterRegionProblems } from './cloud-regions.js';
import { checkValue, fieldError } from './field-errors.js';
import { parseIp } from './ip-network.js';
import { KOPS_CLOUDS, parseKubernetesVersion } from './kops-defaults.js';
import { READABLE_API_VERSIONS, type KopsCluster, type KopsInstanceGroup } from './kops-model.js';
import { checkCidr, validateNetworking } from './validate-networking.js';
import { clusterShapeErrors } from './validate-shape.js';
import { dns1123SubdomainErrors, isDns1123Subdomain } from './dns-names.js';
import { cloudLabelErrors, validateInstanceGroup } from './validate-instance-group.js';

export { isDns1123Subdomain, validateInstanceGroup };

export interface ClusterValidationOptions {
  /** The stored cluster this one replaces: adds kops's update rules (etcd clusters kept, cloud labels). */
  previous?: KopsCluster;
  /** Names the object in the thrown error (default "the cluster"). */
  source?: string;
}

const ETCD_NAMES = ['cilium', 'main', 'events', 'leases'];

/**
 * Problems with a cluster (and, when given, its instance groups: kops's DeepValidate); empty when valid.
 * An update (`previous` given) also gets ValidateClusterUpdate's rules.
 */
export function validateCluster(cluster: KopsCluster, instanceGroups?: readonly KopsInstanceGroup[], options: ClusterValidationOptions = {}): string[] {
  const shape = clusterShapeErrors(cluster);
  if (shape.length > 0) return shape;
  const errors = [...clusterErrors(cluster), ...(options.previous ? updateErrors(cluster, options.previous) : [])];
  if (errors.length > 0) return errors;
  errors.push(...clusterRegionProblems(cluster));
  if (errors.length > 0 || !instanceGroups) return errors;
  return deepValidate(cluster, instanceGroups);
}

/** ValidateCluster (legacy.go) and newValidateCluster / validateClusterSpec (validation.go). */
function clusterErrors(cluster: KopsCluster): string[] {
  const errors: string[] = [];
  if (!(READABLE_API_VERSIONS as readonly string[]).includes(cluster.apiVersion)) errors.push(fieldError.notSupported('apiVersion', cluster.apiVersion ?? '', ['kops.k8s.io/v1alpha2']));
  if (cluster.kind !== 'Cluster') errors.push(fieldError.notSupported('kind', cluster.kind ?? '', ['Cluster']));
  const spec = cluster.spec ?? {};
  if (!spec.kubernetesVersion) return [...errors, fieldError.required('spec.kubernetesVersion')];
  try {
    parseKubernetesVersion(spec.kubernetesVersion);
  } catch {
    return [...errors, fieldError.invalid('spec.kubernetesVersion', spec.kubernetesVersion, 'unable to determine kubernetes version')];
  }
  errors.push(...nameErrors(cluster));
  const cloud = spec.cloudProvider;
  if (!cloud) errors.push(fieldError.required('spec.cloudProvider'));
  else if (!(KOPS_CLOUDS as readonly string[]).includes(cloud)) errors.push(fieldError.notSupported('spec.cloudProvider', cloud, [...KOPS_CLOUDS]));
  if (spec.gossipConfig !== undefined) errors.push(fieldError.forbidden('spec.gossipConfig', 'gossip DNS support was removed in kOps 1.37; remove this field from the cluster spec'));
  if (spec.dnsControllerGossipConfig !== undefined) errors.push(fieldError.forbidden('spec.dnsControllerGossipConfig', 'gossip DNS support was removed in kOps 1.37; remove this field from the cluster spec'));
  accessListErrors(errors, cluster, 'sshAccess', 'sshAccess');
  accessListErrors(errors, cluster, 'kubernetesApiAccess', 'kubernetesAPIAccess');
  accessListErrors(errors, cluster, 'nodePortAccess', 'nodePortAccess');
  checkValue(errors, 'spec.updatePolicy', spec.updatePolicy, ['Automatic', 'External']);
  errors.push(...validateNetworking(cluster));
  if (spec.nodeAuthorization !== undefined) errors.push(fieldError.forbidden('spec.nodeAuthorization', 'NodeAuthorization must be empty. The functionality has been reimplemented and is enabled on kubernetes >= 1.19.0.'));
  (Array.isArray(spec.addons) ? (spec.addons as { manifest?: unknown }[]) : []).forEach((addon, i) => {
    if (typeof addon?.manifest === 'string' && addon.manifest.startsWith('file://')) errors.push(fieldError.invalid(`spec.addons[${i}].manifest`, addon.manifest, 'file:// addon manifests are not supported'));
  });
  errors.push(...etcdErrors(cluster));
  if (spec.docker !== undefined) errors.push(fieldError.forbidden('spec.docker', 'Docker CRI support was removed in Kubernetes 1.24: https://kubernetes.io/blog/2020/12/02/dockershim-faq'));
  if (spec.containerRuntime === 'docker') errors.push(fieldError.forbidden('spec.containerRuntime', 'Docker CRI support was removed in Kubernetes 1.24: https://kubernetes.io/blog/2020/12/02/dockershim-faq'));
  (Array.isArray(spec.sysctlParameters) ? (spec.sysctlParameters as string[]) : []).forEach((p, i) => {
    if (!String(p).includes('=')) errors.push(fieldError.invalid(`spec.sysctlParameters[${i}]`, p, 'must contain a "=" character'));
  });
  errors.push(...apiLoadBalancerErrors(cluster));
  const iam = spec.iam as { legacy?: unknown; useServiceAccountExternalPermissions?: unknown } | undefined;
  if (iam?.legacy === true) errors.push(fieldError.forbidden('spec.iam.legacy', 'legacy IAM permissions are no longer supported'));
  if ((spec.karpenter as { enabled?: unknown } | undefined)?.enabled === true && iam?.useServiceAccountExternalPermissions !== true) {
    errors.push(fieldError.forbidden('spec.karpenter.enabled', 'Karpenter requires that service accounts use external permissions'));
  }
  errors.push(...discoveryErrors(cluster));
  errors.push(...componentErrors(cluster));
  if (cloud === 'linode' && (cluster.metadata?.name ?? '').length > 32) errors.push(fieldError.invalid('objectMeta.name', cluster.metadata?.name, 'cluster name must be no more than 32 characters long'));
  return errors;
}

/**
 * kops's cluster-name checks that need no spec: present and a DNS-1123 subdomain (at most 253
 * characters). Run before a name is used as a store folder.
 */
export function clusterNameErrors(name: string): string[] {
  return nameErrors({ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name }, spec: { topology: { dns: { type: 'None' } } } });
}

/** The cluster name: a DNS-1123 subdomain, and fully qualified (with a dot) unless DNS is none. */
function nameErrors(cluster: KopsCluster): string[] {
  const name = cluster.metadata?.name ?? '';
  if (!name) return [fieldError.required('objectMeta.name', 'Cluster Name is required (e.g. --name=mycluster.myzone.com)')];
  const problems = dns1123SubdomainErrors(name);
  if (problems.length > 0) {
    return [
      ...problems.map((p) => fieldError.invalid('metadata.name', name, p)),
      fieldError.invalid('objectMeta.name', name, `Cluster Name must be a valid DNS name (e.g. --name=mycluster.myzone.com) errors: ${problems.join(', ')}`),
    ];
  }
  const imported = cluster.metadata?.annotations?.['kops.kubernetes.io/management'] === 'imported';
  if (!name.includes('.') && cluster.spec?.topology?.dns?.type !== 'None' && !imported) {
    return [fieldError.invalid('objectMeta.name', name, 'Cluster Name must be a fully-qualified DNS name (e.g. --name=mycluster.myzone.com)')];
  }
  return [];
}

function accessListErrors(errors: string[], cluster: KopsCluster, field: string, kopsName: string): void {
  const list = cluster.spec[field];
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    errors.push(fieldError.invalid(`spec.${kopsName}`, list, 'must be a list of CIDRs'));
    return;
  }
  list.forEach((cidr, i) => {
    const path = `spec.${kopsName}[${i}]`;
    if (typeof cidr === 'string' && cidr.startsWith('pl-')) {
      if (cluster.spec.cloudProvider !== 'aws') errors.push(fieldError.invalid(path, cidr, 'Prefix List ID only supported for AWS'));
    } else checkCidr(errors, path, cidr);
  });
}

/** validateEtcdClusterSpec, validateEtcdBackupStore, validateEtcdStorage. */
function etcdErrors(cluster: KopsCluster): string[] {
  const errors: string[] = [];
  const etcdClusters = cluster.spec.etcdClusters;
  const path = 'spec.etcdClusters';
  if (!Array.isArray(etcdClusters) || etcdClusters.length === 0) return [fieldError.required(path)];
  etcdClusters.forEach((etcd, i) => {
    const at = `${path}[${i}]`;
    checkValue(errors, `${at}.name`, etcd?.name ?? '', ETCD_NAMES);
    if (etcd?.provider !== undefined && etcd.provider !== '') checkValue(errors, `${at}.provider`, etcd.provider, ['Manager']);
    const members = Array.isArray(etcd?.etcdMembers) ? etcd.etcdMembers : [];
    if (members.length === 0) errors.push(fieldError.required(`${at}.etcdMembers`, 'No members defined in etcd cluster'));
    else if (members.length % 2 === 0) {
      errors.push(
        fieldError.invalid(
          `${at}.etcdMembers`,
          members.length,
          'Should be an odd number of control-plane-zones for quorum. Use --zones and --control-plane-zones to declare node zones and control-plane zones separately',
        ),
      );
    }
    if (etcd?.image && !etcd.version) errors.push(fieldError.required(`${at}.version`, 'version must be set when image is set'));
    if (etcd?.version) {
      const m = /^v?(\d+)\.\d+\.\d+(?:[-+].*)?$/.exec(etcd.version);
      if (!m) errors.push(fieldError.invalid(`${at}.version`, etcd.version, 'the storage version is invalid'));
      else if (m[1] !== '3') errors.push(fieldError.invalid(`${at}.version`, etcd.version, 'unsupported storage version, we only support major version 3'));
    }
    members.forEach((m, j) => {
      if (!m?.name) errors.push(fieldError.required(`${at}.etcdMembers[${j}].name`, 'etcdMember did not have name'));
      if (!m?.instanceGroup) errors.push(fieldError.required(`${at}.etcdMembers[${j}].instanceGroup`, 'etcdMember did not have instanceGroup'));
    });
  });
  const names = new Set<string>();
  for (const etcd of etcdClusters) {
    if (names.has(etcd?.name)) errors.push(fieldError.forbidden(`${path}[0].backupStore`, 'the backup store must be unique for each etcd cluster'));
    names.add(etcd?.name);
  }
  const version = etcdClusters[0]?.version;
  etcdClusters.forEach((etcd, i) => {
    if (etcd?.version && etcd.version !== version) errors.push(fieldError.forbidden(`${path}[${i}].version`, `cluster: ${JSON.stringify(etcd.name)}, has a different storage version: ${JSON.stringify(etcd.version)}, both must be the same`));
  });
  return errors;
}

/** The API load balancer: AWS-only fields elsewhere, internal needs a private subnet, AWS class rules. */
function apiLoadBalancerErrors(cluster: KopsCluster): string[] {
  const errors: string[] = [];
  const lb = cluster.spec.api?.loadBalancer as Record<string, unknown> | undefined;
  if (!lb) return errors;
  const path = 'spec.api.loadBalancer';
  const cloud = cluster.spec.cloudProvider;
  if (cloud !== 'aws') {
    for (const field of ['class', 'securityGroupOverride', 'additionalSecurityGroups', 'sslCertificate', 'sslPolicy', 'crossZoneLoadBalancing', 'accessLog']) {
      if (lb[field] !== undefined && lb[field] !== '') errors.push(fieldError.forbidden(`${path}.${field}`, `${field} is only supported on AWS`));
    }
  }
  if (lb.type === 'Internal' && !(cluster.spec.subnets ?? []).some((s) => s?.type === 'Private')) {
    errors.push(fieldError.forbidden(`${path}.type`, 'Internal LoadBalancers must have at least one subnet of type Private'));
  }
  if (cloud === 'aws') {
    if (lb.class === 'Classic') {
      errors.push(
        fieldError.forbidden(
          `${path}.class`,
          'AWS Classic Load Balancer for API is no longer supported; migrate to a Network Load Balancer using kOps 1.36 or earlier. See https://github.com/kubernetes/kops/blob/master/permalinks/acm_nlb.md',
        ),
      );
    } else if (lb.class !== undefined && lb.class !== '') checkValue(errors, `${path}.class`, lb.class, ['Classic', 'Network']);
    if (cluster.spec.topology?.dns?.type === 'None' && lb.class !== 'Network') errors.push(fieldError.forbidden(`${path}.type`, 'topology.dns.type=none requires Network Load Balancer'));
    if (lb.class === 'Network' && lb.useForInternalApi === true && lb.type === 'Internal') {
      errors.push(fieldError.forbidden(`${path}.useForInternalAPI`, 'useForInternalAPI cannot be used with internal NLB due lack of hairpinning support'));
    }
    if (lb.sslCertificate && lb.class !== 'Network') {
      errors.push(fieldError.forbidden(`${path}.sslCertificate`, 'sslCertificate requires a network load balancer. See https://github.com/kubernetes/kops/blob/master/permalinks/acm_nlb.md'));
    }
  }
  return errors;
}

/** validateServiceAccountIssuerDiscovery: where discovery documents may be published. */
function discoveryErrors(cluster: KopsCluster): string[] {
  const errors: string[] = [];
  const said = cluster.spec.serviceAccountIssuerDiscovery as { discoveryStore?: string; discoveryService?: unknown; enableAWSOIDCProvider?: unknown } | undefined;
  if (!said) return errors;
  const path = 'spec.serviceAccountIssuerDiscovery';
  const store = said.discoveryStore;
  if (store && said.discoveryService) errors.push(fieldError.forbidden(`${path}.discoveryStore`, 'Only one of discoveryStore or discoveryService may be specified'));
  if (store) {
    const at = `${path}.serviceAccountIssuerDiscovery.discoveryStore`;
    const scheme = /^([a-z0-9+.-]+):\/\//i.exec(store)?.[1]?.toLowerCase();
    if (scheme === 's3') {
      if ((/^s3:\/\/([^/]*)/i.exec(store)?.[1] ?? '').includes('.')) errors.push(fieldError.invalid(at, store, 'Bucket name cannot contain dots'));
    } else if (scheme !== 'gs' && scheme !== 'memfs') {
      // memfs:// is the in-process test store (kops's tests mark theirs cluster-readable).
      errors.push(fieldError.invalid(at, store, 'S3 is the only supported VFS for discoveryStore'));
    }
  }
  if (said.enableAWSOIDCProvider === true && !store && !said.discoveryService) {
    errors.push(fieldError.forbidden(`${path}.serviceAccountIssuerDiscovery.enableAWSOIDCProvider`, 'AWS OIDC Provider requires a discoveryStore or discoveryService to be set'));
  }
  return errors;
}

/** The component checks of ValidateCluster and validateClusterSpec that need no cloud. */
function componentErrors(cluster: KopsCluster): string[] {
  const errors: string[] = [];
  const spec = cluster.spec;
  const kubeDns = spec.kubeDNS as { serverIP?: string; upstreamNameservers?: unknown } | undefined;
  if (kubeDns?.serverIP !== undefined && (typeof kubeDns.serverIP !== 'string' || !parseIp(kubeDns.serverIP))) errors.push(fieldError.invalid('spec.kubeDNS.serverIP', kubeDns.serverIP, 'Cluster had an invalid kubeDNS.serverIP'));
  if (Array.isArray(kubeDns?.upstreamNameservers)) {
    (kubeDns.upstreamNameservers as unknown[]).forEach((x, i) => {
      if (typeof x !== 'string' || !parseIp(x)) errors.push(fieldError.invalid(`spec.kubeDNS.upstreamNameservers[${i}]`, x, 'Invalid nameserver given, should be a valid ip address'));
    });
  }
  const kcm = spec.kubeControllerManager as { clusterCIDR?: string; experimentalClusterSigningDuration?: unknown } | undefined;
  if (kcm?.clusterCIDR) checkCidr(errors, 'spec.kubeControllerManager.clusterCIDR', kcm.clusterCIDR);
  if (kcm?.experimentalClusterSigningDuration !== undefined) {
    errors.push(fieldError.forbidden('spec.kubeControllerManager.experimentalClusterSigningDuration', 'experimentalClusterSigningDuration has been replaced with clusterSigningDuration as of kubernetes 1.25'));
  }
  if ((spec.kubeScheduler as { usePolicyConfigMap?: unknown } | undefined)?.usePolicyConfigMap !== undefined) {
    errors.push(fieldError.forbidden('spec.kubeScheduler.usePolicyConfigMap', 'usePolicyConfigMap is deprecated, use KubeSchedulerConfiguration'));
  }
  const apiServer = spec.kubeAPIServer as { enableBootstrapTokenAuth?: unknown; admissionControl?: unknown; enableAdmissionPlugins?: unknown } | undefined;
  if (apiServer?.enableBootstrapTokenAuth === true) errors.push(fieldError.forbidden('spec.kubeAPIServer.enableBootstrapTokenAuth', 'bootstrap tokens are not supported'));
  if (Array.isArray(apiServer?.admissionControl) && apiServer.admissionControl.length > 0) {
    errors.push(fieldError.forbidden('spec.kubeAPIServer.admissionControl', 'admissionControl has been replaced with enableAdmissionPlugins'));
  }
  if (Array.isArray(apiServer?.enableAdmissionPlugins) && apiServer.enableAdmissionPlugins.includes('PodSecurityPolicy')) {
    errors.push(fieldError.forbidden('spec.kubeAPIServer.enableAdmissionPlugins', 'PodSecurityPolicy has been removed from Kubernetes 1.25'));
  }
  for (const [field, kopsField] of [
    ['kubelet', 'kubelet'],
    ['masterKubelet', 'controlPlaneKubelet'],
    ['controlPlaneKubelet', 'controlPlaneKubelet'],
  ] as const) {
    const kubelet = spec[field] as Record<string, unknown> | undefined;
    if (!kubelet) continue;
    const removed: [string, string][] = [
      ['apiServers', 'api-servers flag was removed in 1.6'],
      ['requireKubeconfig', 'require-kubeconfig flag was removed in 1.10.  (Please be sure you are not using a cluster config from `kops get cluster --full`)'],
      ['podInfraContainerImage', 'pod-infra-container-image flag was deprecated in 1.24 and removed in 1.35, use containerd.sandboxImage instead'],
      ['networkPluginName', 'networkPluginName has been removed on Kubernetes >=1.24'],
      ['networkPluginMTU', 'networkPluginMTU has been removed on Kubernetes >=1.24'],
      ['nonMasqueradeCIDR', 'nonMasqueradeCIDR has been removed on Kubernetes >=1.24'],
    ];
    for (const [key, message] of removed) if (kubelet[key] !== undefined && kubelet[key] !== '') errors.push(fieldError.forbidden(`spec.${kopsField}.${key}`, message));
  }
  return errors;
}

/** DeepValidate: at least one control-plane and one other group, each valid against the cluster. */
function deepValidate(cluster: KopsCluster, groups: readonly KopsInstanceGroup[]): string[] {
  if (groups.length === 0) return ['must configure at least one InstanceGroup'];
  const controlPlanes = groups.filter((g) => g.spec?.role === 'Master' || g.spec?.role === 'ControlPlane');
  if (controlPlanes.length === 0) return ['must configure at least one ControlPlane InstanceGroup'];
  if (controlPlanes.length === groups.length) return ['must configure at least one Node InstanceGroup'];
  const errors: string[] = [];
  for (const g of groups) errors.push(...validateInstanceGroup(g, cluster).map((e) => `InstanceGroup ${g.metadata?.name ?? '?'}: ${e}`));
  return errors;
}

/** ValidateClusterUpdate's additions: etcd clusters cannot be removed; reserved cloud labels. */
function updateErrors(cluster: KopsCluster, previous: KopsCluster): string[] {
  const errors: string[] = [];
  const kept = new Set((cluster.spec?.etcdClusters ?? []).map((e) => e?.name));
  for (const etcd of previous.spec?.etcdClusters ?? []) {
    if (etcd?.name && !kept.has(etcd.name)) errors.push(fieldError.forbidden(`spec.etcdClusters[${etcd.name}]`, 'EtcdClusters cannot be removed'));
  }
  const labels = cluster.spec?.cloudLabels;
  if (labels && typeof labels === 'object') errors.push(...cloudLabelErrors(labels as Record<string, unknown>, 'spec.cloudLabels'));
  return errors;
}

/**
 * Throws InvalidConfigError listing every problem kops would report. The one validation every write
 * path calls; pass `previous` when the cluster replaces a stored one.
 */
export function assertValidCluster(cluster: KopsCluster, instanceGroups?: readonly KopsInstanceGroup[], options: ClusterValidationOptions = {}): void {
  const errors = validateCluster(cluster, instanceGroups, options);
  if (errors.length > 0) throw new InvalidConfigError(`${options.source ?? 'the cluster'} is not valid:\n  ${errors.join('\n  ')}`);
}

export function assertValidInstanceGroup(ig: KopsInstanceGroup, cluster?: KopsCluster, source = 'the instance group'): void {
  const errors = validateInstanceGroup(ig, cluster);
  if (errors.length > 0) throw new InvalidConfigError(`${source} is not valid:\n  ${errors.join('\n  ')}`);
}
