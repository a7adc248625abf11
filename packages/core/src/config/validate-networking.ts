/**
 * kops's networking validation (pkg/apis/kops/validation/validation.go: validateNetworking,
 * validateSubnets, validateSubnet, validateTopology, validateCloudDNSTopology and the per-plugin checks)
 * on a v1alpha2 cluster: network, non-masquerade, pod and service CIDRs; subnets (names, CIDRs inside the
 * network, types, egress, regions); the DNS topology each cloud supports; one networking plugin and its
 * rules. Field paths are kops's (internal `spec.networking.…`), as kops prints them.
 */
import { checkValue, fieldError } from './field-errors.js';
import { formatNetwork, networkAddress, networkBelongsTo, networksOverlap, parseIp, parseNetwork, type IpNetwork } from './ip-network.js';
import type { ClusterSpec, KopsCluster } from './kops-model.js';

/** What a cloud requires of the network (validateCloudProvider's constraints). */
interface NetworkConstraints {
  requiresSubnets: boolean;
  requiresNetworkCIDR: boolean;
  prohibitsNetworkCIDR: boolean;
  prohibitsMultipleNetworkCIDRs: boolean;
  requiresNonMasqueradeCIDR: boolean;
  requiresSubnetRegion: boolean;
}

const BASE: NetworkConstraints = {
  requiresSubnets: true,
  requiresNetworkCIDR: true,
  prohibitsNetworkCIDR: false,
  prohibitsMultipleNetworkCIDRs: true,
  requiresNonMasqueradeCIDR: true,
  requiresSubnetRegion: false,
};

const CONSTRAINTS: Record<string, Partial<NetworkConstraints>> = {
  aws: { prohibitsMultipleNetworkCIDRs: false },
  azure: { requiresSubnetRegion: true },
  digitalocean: { requiresSubnets: false, requiresSubnetRegion: true, requiresNetworkCIDR: false },
  gce: { requiresNetworkCIDR: false, requiresSubnetRegion: true, prohibitsNetworkCIDR: true, requiresNonMasqueradeCIDR: false },
  hetzner: { requiresNetworkCIDR: false, requiresSubnets: false },
  openstack: { requiresNetworkCIDR: false },
  scaleway: { requiresNetworkCIDR: false },
  linode: { requiresSubnets: false, requiresSubnetRegion: true, requiresNetworkCIDR: false },
};

/** DNS topologies each cloud supports (none, public, private). */
const DNS_TOPOLOGIES: Record<string, { none: boolean; public: boolean; private: boolean }> = {
  aws: { none: true, public: true, private: true },
  azure: { none: true, public: false, private: false },
  digitalocean: { none: true, public: true, private: false },
  gce: { none: true, public: true, private: true },
  hetzner: { none: true, public: false, private: false },
  linode: { none: true, public: false, private: false },
  openstack: { none: true, public: true, private: true },
  scaleway: { none: true, public: true, private: false },
};

const NETWORKING_OPTIONS = ['classic', 'kubenet', 'external', 'cni', 'kopeio', 'weave', 'flannel', 'calico', 'canal', 'kuberouter', 'romana', 'amazonvpc', 'cilium', 'lyftvpc', 'gce', 'kindnet'];

/** The parse of a CIDR field, with kops's hints ("did you mean …/32", bits outside the prefix). */
export function checkCidr(errors: string[], path: string, cidr: unknown): IpNetwork | undefined {
  const text = typeof cidr === 'string' ? cidr : String(cidr);
  const network = typeof cidr === 'string' ? parseNetwork(cidr) : undefined;
  if (!network) {
    let detail = 'Could not be parsed as a CIDR';
    const ip = !text.includes('/') ? parseIp(text) : undefined;
    if (ip) detail += ` (did you mean "${text}/${ip.bits === 32 ? 32 : 64}")`;
    errors.push(fieldError.invalid(path, cidr, detail));
    return undefined;
  }
  if (network.address !== networkAddress(network)) errors.push(fieldError.invalid(path, cidr, `Network contains bits outside prefix (did you mean "${formatNetwork(network)}")`));
  return network;
}

export function isIpv6Only(spec: ClusterSpec): boolean {
  return parseNetwork(spec.nonMasqueradeCIDR ?? '')?.bits === 128;
}

function usesLegacyGossip(cluster: KopsCluster): boolean {
  return cluster.spec.topology?.dns?.type !== 'None' && (cluster.metadata?.name ?? '').replace(/\.$/, '').endsWith('.k8s.local');
}

function kubeProxyEnabled(spec: ClusterSpec): boolean {
  return spec.kubeProxy !== undefined && spec.kubeProxy !== null && spec.kubeProxy.enabled !== false;
}

/** Everything validateNetworking checks. */
export function validateNetworking(cluster: KopsCluster): string[] {
  const errors: string[] = [];
  const spec = cluster.spec;
  const cloud = spec.cloudProvider ?? '';
  const constraints: NetworkConstraints = cloud in CONSTRAINTS ? { ...BASE, ...CONSTRAINTS[cloud] } : { ...BASE, requiresSubnets: false, requiresNetworkCIDR: false };
  const path = 'spec.networking';
  const ipv6Only = isIpv6Only(spec);
  const networking = (spec.networking ?? {}) as Record<string, Record<string, unknown> | undefined>;

  const networkCidrs: IpNetwork[] = [];
  if (!spec.networkCIDR) {
    if (constraints.requiresNetworkCIDR) errors.push(fieldError.required(`${path}.networkCIDR`, 'Cluster does not have networkCIDR set'));
  } else if (constraints.prohibitsNetworkCIDR) {
    errors.push(fieldError.forbidden(`${path}.networkCIDR`, `${cloud} doesn't support networkCIDR`));
  } else {
    const n = checkCidr(errors, `${path}.networkCIDR`, spec.networkCIDR);
    if (n) networkCidrs.push(n);
    if ((cloud === 'digitalocean' || cloud === 'linode') && n && !isPrivate(n)) errors.push(fieldError.invalid(`${path}.networkCIDR`, spec.networkCIDR, 'networkCIDR must be within a private IP range'));
    if ((cloud === 'digitalocean' || cloud === 'linode') && spec.networkID) {
      errors.push(fieldError.forbidden(`${path}.networkCIDR`, `${cloud === 'linode' ? 'Akamai (Linode)' : 'DO'} doesn't support specifying both NetworkID and NetworkCIDR`));
    }
  }
  const additional = spec.additionalNetworkCIDRs ?? [];
  if (additional.length > 0 && constraints.prohibitsMultipleNetworkCIDRs) errors.push(fieldError.forbidden(`${path}.additionalNetworkCIDRs`, `${cloud} doesn't support additionalNetworkCIDRs`));
  else
    additional.forEach((c, i) => {
      const n = checkCidr(errors, `${path}.additionalNetworkCIDRs[${i}]`, c);
      if (n) networkCidrs.push(n);
    });

  let nonMasquerade: IpNetwork | undefined;
  if (!spec.nonMasqueradeCIDR) {
    if (constraints.requiresNonMasqueradeCIDR) errors.push(fieldError.required(`${path}.nonMasqueradeCIDR`, 'Cluster does not have nonMasqueradeCIDR set'));
  } else {
    nonMasquerade = checkCidr(errors, `${path}.nonMasqueradeCIDR`, spec.nonMasqueradeCIDR);
    if (spec.nonMasqueradeCIDR.includes(':') && spec.nonMasqueradeCIDR !== '::/0') errors.push(fieldError.forbidden(`${path}.nonMasqueradeCIDR`, 'IPv6 clusters must have a nonMasqueradeCIDR of "::/0"'));
    const eni = (networking.cilium as { ipam?: string } | undefined)?.ipam === 'eni';
    if (nonMasquerade && networkCidrs.length > 0 && !networking.amazonvpc && !eni) {
      if (networksOverlap(nonMasquerade, networkCidrs[0])) {
        errors.push(fieldError.forbidden(`${path}.nonMasqueradeCIDR`, `nonMasqueradeCIDR ${JSON.stringify(spec.nonMasqueradeCIDR)} cannot overlap with networkCIDR ${JSON.stringify(spec.networkCIDR)}`));
      }
      networkCidrs.slice(1).forEach((c, i) => {
        if (networksOverlap(nonMasquerade, c)) errors.push(fieldError.forbidden(`${path}.nonMasqueradeCIDR`, `nonMasqueradeCIDR ${JSON.stringify(spec.nonMasqueradeCIDR)} cannot overlap with additionalNetworkCIDRs[${i}] ${JSON.stringify(formatNetwork(c))}`));
      });
    }
  }

  let podCidr: IpNetwork | undefined;
  if (spec.podCIDR) {
    podCidr = checkCidr(errors, `${path}.podCIDR`, spec.podCIDR);
    if (podCidr && nonMasquerade && !networkBelongsTo(nonMasquerade, podCidr)) {
      errors.push(fieldError.forbidden(`${path}.podCIDR`, `podCIDR ${JSON.stringify(formatNetwork(podCidr))} must be a subnet of nonMasqueradeCIDR ${JSON.stringify(formatNetwork(nonMasquerade))}`));
    }
  }
  const serviceRange = spec.serviceClusterIPRange ? checkCidr(errors, `${path}.serviceClusterIPRange`, spec.serviceClusterIPRange) : undefined;

  errors.push(...validateSubnets(cluster, constraints, networkCidrs, podCidr, serviceRange));
  if (spec.topology) errors.push(...validateTopology(cluster));

  if (networking.classic) errors.push(fieldError.invalid(path, 'classic', 'classic networking is not supported'));
  if (networking.kubenet && ipv6Only) errors.push(fieldError.forbidden(`${path}.kubenet`, 'Kubenet does not support IPv6'));
  if (networking.external) errors.push(fieldError.forbidden(`${path}.external`, 'external is not supported for Kubernetes >= 1.26'));
  if (networking.kopeio && ipv6Only) errors.push(fieldError.forbidden(`${path}.kopeio`, 'Kopeio does not support IPv6'));
  if (networking.weave) errors.push(fieldError.forbidden(`${path}.weave`, 'Weave is no longer supported'));
  if (networking.flannel) {
    if (ipv6Only) errors.push(fieldError.forbidden(`${path}.flannel`, 'Flannel does not support IPv6'));
    const backend = networking.flannel.backend;
    if (!backend) errors.push(fieldError.required(`${path}.flannel.backend`, 'Flannel backend must be specified'));
    else checkValue(errors, `${path}.flannel.backend`, backend, ['udp', 'vxlan']);
  }
  if (networking.calico) {
    const calico = networking.calico;
    if (calico.bpfEnabled === true && kubeProxyEnabled(spec)) {
      errors.push(fieldError.forbidden('spec.kubeProxy.enabled', 'calico in BPF mode (spec.networking.calico.bpfEnabled=true) requires kubeProxy to be disabled'));
    }
    if (calico.encapsulationMode !== undefined) {
      checkValue(errors, `${path}.calico.encapsulationMode`, calico.encapsulationMode, ['ipip', 'vxlan', 'none']);
      if (calico.encapsulationMode !== 'none' && ipv6Only) errors.push(fieldError.forbidden(`${path}.calico.encapsulationMode`, 'IPv6 requires an encapsulationMode of "none"'));
    }
  }
  if (networking.canal) errors.push(fieldError.forbidden(`${path}.canal`, 'Canal is not supported for Kubernetes >= 1.28'));
  if (networking.kuberouter) {
    if (kubeProxyEnabled(spec)) errors.push(fieldError.forbidden('spec.kubeProxy.enabled', 'kube-router requires kubeProxy to be disabled'));
    if (ipv6Only) errors.push(fieldError.forbidden(`${path}.kubeRouter`, 'kube-router does not support IPv6'));
  }
  if (networking.romana) errors.push(fieldError.forbidden(`${path}.romana`, 'support for Romana has been removed'));
  if (networking.amazonvpc) {
    if (cloud !== 'aws') errors.push(fieldError.forbidden(`${path}.amazonVPC`, 'amazon-vpc-routed-eni networking is supported only in AWS'));
    if (ipv6Only) errors.push(fieldError.forbidden(`${path}.amazonVPC`, 'amazon-vpc-routed-eni networking does not support IPv6'));
  }
  if (networking.cilium) errors.push(...validateCilium(cluster, networking.cilium, ipv6Only));
  if (networking.lyftvpc) errors.push(fieldError.forbidden(`${path}.lyftvpc`, 'support for LyftVPC has been removed'));
  if (networking.gce) {
    if (cloud !== 'gce') errors.push(fieldError.forbidden(`${path}.gcp`, 'GCP networking is supported only when on GCP'));
    if (ipv6Only) errors.push(fieldError.forbidden(`${path}.gcp`, 'GCP networking does not support IPv6'));
  }
  const configured = NETWORKING_OPTIONS.filter((o) => networking[o] !== undefined && networking[o] !== null);
  if (configured.length > 1) {
    const names = configured.map((o) => (o === 'gce' ? 'gcp' : o)).sort();
    for (const o of names) errors.push(fieldError.forbidden(`${path}.${o}`, `only one networking option permitted, found ${names.join(', ')}`));
  }
  return errors;
}

function validateCilium(cluster: KopsCluster, cilium: Record<string, unknown>, ipv6Only: boolean): string[] {
  const errors: string[] = [];
  const path = 'spec.networking.cilium';
  const version = cilium.version;
  if (typeof version === 'string' && version !== '') {
    if (!version.startsWith('v')) return [fieldError.invalid(`${path}.version`, version, "Cilium version must be prefixed with 'v'")];
    const m = /^v(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version);
    if (!m) errors.push(fieldError.invalid(`${path}.version`, version, 'Could not parse as semantic version'));
    if (!m || m[2] !== '18') errors.push(fieldError.invalid(`${path}.version`, version, 'Only version 1.18 is supported'));
  }
  if (cilium.enableNodePort === true && kubeProxyEnabled(cluster.spec)) errors.push(fieldError.forbidden('spec.kubeProxy.enabled', 'When Cilium NodePort is enabled, kubeProxy must be disabled'));
  checkValue(errors, `${path}.enablePolicy`, cilium.enablePolicy || undefined, ['default', 'always', 'never']);
  checkValue(errors, `${path}.tunnel`, cilium.tunnel || undefined, ['vxlan', 'geneve', 'disabled']);
  if (cilium.ipam) {
    checkValue(errors, `${path}.ipam`, cilium.ipam, ['hostscope', 'kubernetes', 'crd', 'eni']);
    if (cilium.ipam === 'eni') {
      if (cluster.spec.cloudProvider !== 'aws') errors.push(fieldError.forbidden(`${path}.ipam`, 'Cilum ENI IPAM is supported only in AWS'));
      if (ipv6Only) errors.push(fieldError.forbidden(`${path}.ipam`, 'Cilium ENI IPAM does not support IPv6'));
    }
  }
  if (cilium.etcdManaged === true && !(cluster.spec.etcdClusters ?? []).some((e) => e?.name === 'cilium')) {
    errors.push(fieldError.required('spec.etcdClusters', 'Cilium with managed etcd requires a dedicated etcd cluster'));
  }
  return errors;
}

const EGRESS_TYPES = ['nat', 'eipalloc', 'i', 'External', 'tgw'];

function validateSubnets(cluster: KopsCluster, constraints: NetworkConstraints, networkCidrs: IpNetwork[], podCidr: IpNetwork | undefined, serviceRange: IpNetwork | undefined): string[] {
  const errors: string[] = [];
  const spec = cluster.spec;
  const path = 'spec.networking.subnets';
  const subnets = Array.isArray(spec.subnets) ? spec.subnets : [];
  if (spec.subnets !== undefined && !Array.isArray(spec.subnets)) errors.push(fieldError.invalid(path, spec.subnets, 'must be a list of subnets'));
  if (constraints.requiresSubnets && subnets.length === 0) errors.push(fieldError.required(path, 'must configure at least one subnet (use --zones)'));
  const ipv6Only = isIpv6Only(spec);
  const names = new Set<string>();
  let region = '';
  subnets.forEach((s, i) => {
    const at = `${path}[${i}]`;
    if (!s?.name) errors.push(fieldError.required(`${at}.name`));
    if (s?.cidr) {
      const cidr = checkCidr(errors, `${at}.cidr`, s.cidr);
      if (cidr && networkCidrs.length > 0 && !networkCidrs.some((n) => networkBelongsTo(n, cidr))) {
        errors.push(
          fieldError.forbidden(`${at}.cidr`, `subnet ${JSON.stringify(s.name)} cidr ${JSON.stringify(s.cidr)} is not a subnet of the networkCIDR ${JSON.stringify(spec.networkCIDR ?? '')}${networkCidrs.length > 1 ? ' or an additionalNetworkCIDR' : ''}`),
        );
      }
      if (networksOverlap(cidr, podCidr) && !(spec.networking && 'amazonvpc' in spec.networking)) {
        errors.push(fieldError.forbidden(`${at}.cidr`, `subnet ${JSON.stringify(s.name)} cidr ${JSON.stringify(s.cidr)} must not overlap podCIDR ${JSON.stringify(formatNetwork(podCidr!))}`));
      }
      if (networksOverlap(cidr, serviceRange)) {
        errors.push(fieldError.forbidden(`${at}.cidr`, `subnet ${JSON.stringify(s.name)} cidr ${JSON.stringify(s.cidr)} must not overlap serviceClusterIPRange ${JSON.stringify(formatNetwork(serviceRange!))}`));
      }
    }
    if (s?.ipv6CIDR) errors.push(...validateIpv6Cidr(`${at}.ipv6CIDR`, s.ipv6CIDR, serviceRange));
    if (s?.egress) {
      if (!EGRESS_TYPES.includes(s.egress.split('-')[0]!)) {
        errors.push(fieldError.invalid(`${at}.egress`, s.egress, 'egress must be of type NAT Gateway, NAT Gateway with existing ElasticIP, NAT EC2 Instance, Transit Gateway, or External'));
      }
      if (s.egress !== 'External' && s.type !== 'DualStack' && s.type !== 'Private' && (!s.ipv6CIDR || s.type !== 'Public')) {
        errors.push(fieldError.forbidden(`${at}.egress`, 'egress can only be specified for private or IPv6-capable public subnets'));
      }
    }
    checkValue(errors, `${at}.type`, s?.type ?? '', ['Public', 'Private', 'DualStack', 'Utility']);
    if (s?.type === 'DualStack' && !ipv6Only) errors.push(fieldError.forbidden(`${at}.type`, 'subnet type DualStack may only be used in IPv6 clusters'));
    if (spec.cloudProvider === 'openstack' && s?.type === 'Public') {
      const router = ((spec.cloudConfig as { openstack?: { router?: { externalNetwork?: unknown } } } | undefined)?.openstack?.router ?? undefined) as { externalNetwork?: unknown } | undefined;
      if (router?.externalNetwork === undefined) errors.push(fieldError.forbidden(`${at}.type`, 'subnet type Public requires an external network'));
    }
    if (s?.name) {
      if (names.has(s.name)) errors.push(fieldError.duplicate(`${at}.name`, s.name));
      names.add(s.name);
    }
    if (constraints.requiresSubnetRegion) {
      if (!s?.region) errors.push(fieldError.required(`${at}.region`, 'region must be specified'));
      else if (region === '') region = s.region;
      else if (region !== s.region) errors.push(fieldError.forbidden(`${at}.region`, 'clusters cannot span regions'));
    }
    if (spec.cloudProvider !== 'aws' && s?.ipv6CIDR) errors.push(fieldError.forbidden(`${at}.ipv6CIDR`, 'ipv6CIDR can only be specified for AWS'));
    if (spec.cloudProvider === 'gce' && s?.zone) errors.push(fieldError.invalid(`${at}.zone`, s.zone, 'zones should not be specified for GCE subnets, as GCE subnets are regional'));
  });
  if (subnets.length > 0) {
    const hasId = Boolean(subnets[0]?.id);
    subnets.forEach((s, i) => {
      if (Boolean(s?.id) !== hasId) errors.push(fieldError.forbidden(`${path}[${i}].id`, 'cannot mix subnets with specified ID and unspecified ID'));
    });
  }
  return errors;
}

/** `/64#1`-style allocations, or an IPv6 CIDR outside the service range. */
function validateIpv6Cidr(path: string, cidr: string, serviceRange: IpNetwork | undefined): string[] {
  const errors: string[] = [];
  if (cidr.startsWith('/')) {
    const m = /^\/(\d+)(#[0-9a-fA-F]+)?$/.exec(cidr);
    if (!m) errors.push(fieldError.invalid(path, cidr, `IPv6 CIDR subnet is not parsable: ${JSON.stringify(cidr)} is not of the form /SIZE#INDEX`));
    else if (Number(m[1]) > 128) errors.push(fieldError.invalid(path, cidr, 'IPv6 CIDR subnet size must be a value between 0 and 128'));
    return errors;
  }
  const network = checkCidr(errors, path, cidr);
  if (network && network.bits !== 128) errors.push(fieldError.invalid(path, cidr, 'Network is not an IPv6 CIDR'));
  if (networksOverlap(network, serviceRange)) errors.push(fieldError.forbidden(path, `ipv6CIDR ${JSON.stringify(cidr)} must not overlap serviceClusterIPRange ${JSON.stringify(formatNetwork(serviceRange!))}`));
  return errors;
}

/** validateTopology and validateCloudDNSTopology. */
function validateTopology(cluster: KopsCluster): string[] {
  const errors: string[] = [];
  const path = 'spec.networking.topology.dns.type';
  const type = cluster.spec.topology?.dns?.type;
  if (type) checkValue(errors, path, type, ['Public', 'Private', 'None']);
  const cloud = cluster.spec.cloudProvider ?? '';
  const supported = DNS_TOPOLOGIES[cloud];
  if (!supported) return [...errors, fieldError.forbidden(path, `cloud provider ${JSON.stringify(cloud)} has no declared DNS topology support`)];
  if (usesLegacyGossip(cluster)) {
    errors.push(
      fieldError.forbidden(
        path,
        'gossip DNS support was removed in kOps 1.37; migrate the cluster to dns=none or a hosted DNS zone using kOps 1.36 before upgrading (see https://kops.sigs.k8s.io/gossip/)',
      ),
    );
  } else if (type === 'None') {
    if (!supported.none) errors.push(fieldError.forbidden(path, `cloud provider ${JSON.stringify(cloud)} does not support none dns topology`));
  } else if (type === 'Private') {
    if (!supported.private) errors.push(fieldError.forbidden(path, `cloud provider ${JSON.stringify(cloud)} does not support private dns topology`));
  } else if (!type || type === 'Public') {
    if (!supported.public) errors.push(fieldError.forbidden(path, `cloud provider ${JSON.stringify(cloud)} does not support public dns topology`));
  }
  return errors;
}

/** RFC 1918 (and RFC 4193 for IPv6), as Go's IP.IsPrivate. */
function isPrivate(n: IpNetwork): boolean {
  const a = networkAddress(n);
  if (n.bits === 32) {
    const in4 = (base: string, prefix: number) => networkBelongsTo(parseNetwork(`${base}/${prefix}`)!, { bits: 32, address: a, prefix: 32 });
    return in4('10.0.0.0', 8) || in4('172.16.0.0', 12) || in4('192.168.0.0', 16);
  }
  return a >> 121n === 0x7en;
}
