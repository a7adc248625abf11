/**
 * Zones and regions per cloud, as kops derives them without asking the cloud: a GCE zone's region is its
 * first two dash-separated parts (`us-central1-a` → `us-central1`), an Azure zone is `LOCATION-N`, an AWS
 * zone is its region plus one letter, Hetzner locations belong to fixed network zones. `clusterRegionProblems`
 * is kops's BuildCloud check that a cluster lives in exactly one region (and, on GCE, in a project).
 */
import { InvalidConfigError } from '../errors/errors.js';
import type { KopsCluster } from './kops-model.js';

/** gce.ZoneToRegion. */
export function gceZoneToRegion(zone: string): string {
  const tokens = zone.split('-');
  if (tokens.length <= 2) throw new InvalidConfigError(`invalid GCE Zone: ${zone} (expected REGION-LETTER, e.g. us-central1-a)`);
  return `${tokens[0]}-${tokens[1]}`;
}

/** azure.ZoneToLocation. */
export function azureZoneToLocation(zone: string): string {
  const parts = zone.split('-');
  if (parts.length !== 2) throw new InvalidConfigError(`invalid Azure zone: ${JSON.stringify(zone)} (expected LOCATION-NUMBER, e.g. eastus-1)`);
  return parts[0]!;
}

/**
 * The shape of an EC2 region name (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`, kops's test region
 * `us-test-1`). kops asks EC2 for the list of regions; a zone given without its letter (`us-east-1`) yields
 * `us-east-`, which no region matches.
 */
const AWS_REGION = /^[a-z]+(-[a-z]+)*-\d+$/;

const HETZNER_NETWORK_ZONES: Record<string, string> = { fsn1: 'eu-central', nbg1: 'eu-central', hel1: 'eu-central', ash: 'us-east', hil: 'us-west' };

/**
 * What kops's BuildCloud refuses about where a cluster is: AWS zones from two regions, or an AWS zone that
 * is not REGION+letter (a region given as a zone); Hetzner locations it does not know or from two
 * network zones; a GCE cluster without a project. GCE and Azure subnet regions are checked with the
 * subnets (validate-networking.ts).
 */
export function clusterRegionProblems(cluster: KopsCluster): string[] {
  const subnets = cluster.spec?.subnets ?? [];
  switch (cluster.spec?.cloudProvider) {
    case 'aws': {
      let region = '';
      for (const subnet of subnets) {
        if (!subnet.zone) {
          if (!subnet.id) return [`subnet ${JSON.stringify(subnet.name)} must specify a zone or the ID of an existing subnet`];
          continue;
        }
        if (subnet.zone.length <= 2) return [`invalid AWS zone: ${JSON.stringify(subnet.zone)} in subnet ${JSON.stringify(subnet.name)}`];
        const zoneRegion = subnet.zone.slice(0, -1);
        if (region !== '' && zoneRegion !== region) return [`error Clusters cannot span multiple regions (found zone ${JSON.stringify(subnet.zone)}, but region is ${JSON.stringify(region)})`];
        region = zoneRegion;
      }
      if (region === '') return subnets.length === 0 ? [] : ['could not determine cluster region: no subnet specifies a zone'];
      if (!AWS_REGION.test(region)) return [`Region is not a recognized EC2 region: ${JSON.stringify(region)} (check you have specified valid zones?)`];
      return [];
    }
    case 'hetzner': {
      let region = '';
      for (const subnet of subnets) {
        const zoneRegion = HETZNER_NETWORK_ZONES[subnet.zone ?? ''];
        if (!zoneRegion) return [`unknown zone ${JSON.stringify(subnet.zone ?? '')} for hetzner cloud, known zones are fsn1, nbg1, hel1, ash, hil`];
        if (region !== '' && zoneRegion !== region) return [`cluster cannot span multiple regions (found zone ${JSON.stringify(subnet.zone)}, but region is ${JSON.stringify(region)})`];
        region = zoneRegion;
      }
      return [];
    }
    case 'gce':
      return cluster.spec.project ? [] : ['project is required for GCE - try gcloud config get-value project'];
    default:
      return [];
  }
}
