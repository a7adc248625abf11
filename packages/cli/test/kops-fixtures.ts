/**
 * kops's create_cluster fixtures (fixtures/kops/README.md) as command lines: the 38 cases, each fixture's
 * options.yaml mapped onto `create cluster` flags as kops's harness maps them (kops's mock-cloud answers passed
 * where kops would ask the cloud), and the cases that need kops's mock cloud for more than that.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { KopsYamlDocument } from '@statestore/core/config';
import { FIXTURES, cleanEnv } from './helpers.js';

export const CASES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.options.yaml'))
  .map((f) => f.slice(0, -'.options.yaml'.length))
  .sort();

/** kops's harness (cmd/kops/create_cluster_integration_test.go) sets these for some cases. */
const HARNESS_ENV: Record<string, NodeJS.ProcessEnv> = {
  ha_hetzner: { HCLOUD_TOKEN: 'REDACTED' },
  minimal_hetzner: { HCLOUD_TOKEN: 'REDACTED' },
  ha_openstack: { OS_REGION_NAME: 'us-test1' },
  ha_openstack_octavia: { OS_REGION_NAME: 'us-test1' },
  ha_openstack_nodns: { OS_REGION_NAME: 'us-test1' },
  'experimental-roles': { KOPS_FEATURE_FLAGS: '+APIServerNodes,+ExperimentalRoles' },
  'different-amis': { KOPS_FEATURE_FLAGS: '+APIServerNodes' },
  // Not run by kops's harness; the flag is what its APIServerCount needs.
  'apiserver-gce': { KOPS_FEATURE_FLAGS: '+APIServerNodes' },
};

/**
 * Machine types kops's mock clouds answer when kops asks for a default (cloudmock MockAWSCloud and the
 * OpenStack mock's flavor): passed as flags only where kops would ask — no flag of the fixture names a size,
 * and (AWS) not for Karpenter nodes, for which kops asks nothing.
 */
const MOCK_SIZES: Record<string, { controlPlane: string; apiServer: string; node: string; bastion?: string }> = {
  aws: { controlPlane: 'm3.medium', apiServer: 'm3.medium', node: 't2.medium', bastion: 't2.micro' },
  openstack: { controlPlane: 'n1-standard-1', apiServer: 'n1-standard-1', node: 'n1-standard-1' },
};

/** Fixtures that need kops's mock cloud beyond machine sizes: the reason, and what Statestore says instead. */
export const NEEDS_MOCK_CLOUD: Record<string, { reason: string; refusal: RegExp }> = {
  shared_vpc: {
    reason: "kops asks AWS for the CIDR of the shared VPC vpc-12345678 (the mock's 10.0.0.0/12); Statestore asks for --network-cidr",
    refusal: /unable to infer the network CIDR of a shared VPC without asking AWS; specify --network-cidr/,
  },
  shared_subnets: {
    reason: "kops asks AWS for the VPC's CIDR and the shared subnet's CIDR (the mock's 10.10.0.0/24); Statestore asks for --network-cidr and the subnet's cidr",
    refusal: /unable to infer the network CIDR of a shared VPC without asking AWS; specify --network-cidr/,
  },
  private_shared_subnets: {
    reason: "kops asks AWS for the VPC's CIDR and both shared subnets' CIDRs; Statestore asks for them",
    refusal: /unable to infer the network CIDR of a shared VPC without asking AWS; specify --network-cidr/,
  },
  shared_subnets_vpc_lookup: {
    reason: 'kops asks AWS which VPC subnet-1 is in; Statestore asks for --network-id',
    refusal: /--network-id is required with --subnets: Statestore cannot ask AWS which VPC subnet subnet-1 is in/,
  },
  'apiserver-gce': {
    reason: "not run by kops's harness (stale): kOps 1.37 refuses the *.k8s.local name with DNS private (gossip was removed), and so does Statestore",
    refusal: /gossip DNS support was removed in kOps 1\.37/,
  },
};

interface Options {
  [key: string]: unknown;
}

/** options.yaml keys (Go field names, matched case-insensitively as encoding/json does) → flags. */
const FLAG_OF: Record<string, string> = {
  zones: '--zones',
  controlplanezones: '--control-plane-zones',
  controlplanecount: '--control-plane-count',
  controlplanesizes: '--control-plane-size',
  controlplaneimage: '--control-plane-image',
  controlplanevolumesize: '--control-plane-volume-size',
  controlplanevolumetype: '--control-plane-volume-type',
  controlplanesecuritygroups: '--control-plane-security-groups',
  nodecount: '--node-count',
  nodesizes: '--node-size',
  nodeimage: '--node-image',
  nodevolumesize: '--node-volume-size',
  nodesecuritygroups: '--node-security-groups',
  apiservercount: '--api-server-count',
  apiserversizes: '--api-server-size',
  etcdcount: '--etcd-count',
  etcdsizes: '--etcd-size',
  schedulercount: '--scheduler-count',
  schedulersizes: '--scheduler-size',
  kubecontrollermanagercount: '--kcm-count',
  kubecontrollermanagersizes: '--kcm-size',
  cloudprovider: '--cloud',
  networking: '--networking',
  kubernetesversion: '--kubernetes-version',
  kubernetesfeaturegates: '--kubernetes-feature-gates',
  networkcidrs: '--network-cidr',
  networkid: '--network-id',
  subnetids: '--subnets',
  utilitysubnetids: '--utility-subnets',
  egress: '--egress',
  sshaccess: '--ssh-access',
  adminaccess: '--admin-access',
  sets: '--set',
  project: '--project',
  gceserviceaccount: '--gce-service-account',
  image: '--image',
  topology: '--topology',
  dnstype: '--dns',
  dnszone: '--dns-zone',
  cloudlabels: '--cloud-labels',
  instancemanager: '--instance-manager',
  discoverystore: '--discovery-store',
  apiloadbalancertype: '--api-loadbalancer-type',
  openstackexternalnet: '--os-ext-net',
  openstackexternalsubnet: '--os-ext-subnet',
  openstacklbsubnet: '--os-lb-floating-subnet',
  openstackdnsservers: '--os-dns-servers',
};
const BOOLEAN_FLAG_OF: Record<string, string> = { bastion: '--bastion', ipv6: '--ipv6', encryptetcdstorage: '--encrypt-etcd-storage', openstacklboctavia: '--os-octavia' };

function loadOptions(testCase: string): Options {
  const raw = KopsYamlDocument.parse(readFileSync(path.join(FIXTURES, `${testCase}.options.yaml`), 'utf8'), testCase).toJS();
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The command line for one fixture, as kops's harness would run it. */
export function commandFor(testCase: string): { name: string; args: string[]; env: NodeJS.ProcessEnv } {
  const o = loadOptions(testCase);
  const args: string[] = [];
  for (const [key, value] of Object.entries(o)) {
    if (key === 'clustername') continue;
    if (BOOLEAN_FLAG_OF[key]) args.push(`${BOOLEAN_FLAG_OF[key]}=${String(value)}`);
    else if (!FLAG_OF[key]) throw new Error(`${testCase}: options.yaml key ${key} has no flag mapping`);
    // kops's harness hands Sets over already split; on the command line --set splits on commas (CSV), so quote each
    else if (key === 'sets') for (const v of value as unknown[]) args.push(FLAG_OF[key]!, `"${String(v).replace(/"/g, '""')}"`);
    else if (key === 'networkcidrs') for (const v of value as unknown[]) args.push(FLAG_OF[key]!, String(v));
    else args.push(FLAG_OF[key]!, Array.isArray(value) ? value.join(',') : String(value));
  }
  const mock = MOCK_SIZES[String(o.cloudprovider)];
  if (mock) {
    if (!o.controlplanesizes) args.push('--control-plane-size', mock.controlPlane);
    if (o.apiservercount && !o.apiserversizes) args.push('--api-server-size', mock.apiServer);
    if (!o.nodesizes && o.instancemanager !== 'karpenter') args.push('--node-size', mock.node);
    if (o.bastion && mock.bastion) args.push('--bastion-size', mock.bastion);
  }
  return { name: String(o.clustername), args: [...args, '--state', 'memfs://tests', '--dry-run', '-o', 'yaml'], env: cleanEnv(HARNESS_ENV[testCase]) };
}

export const fixture = (testCase: string) => readFileSync(path.join(FIXTURES, `${testCase}.expected-v1alpha2.yaml`), 'utf8');
