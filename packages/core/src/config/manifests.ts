/**
 * Manifests: the desired state of one cluster as files in git, in `get all` form — multi-document YAML (or the
 * JSON array `get all -o json` prints) holding the Cluster, its InstanceGroups and its addon objects. This file
 * owns reading them into documents, sorting each into its kind, and deciding which cluster they describe;
 * kops objects of other kinds (keysets, secrets, SSH keys) are refused, since they never belong in git.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { toAddonObject, type AddonObject } from './addon-objects.js';
import { isDns1123Subdomain } from './dns-names.js';
import { CLUSTER_LABEL } from './kops-model.js';
import { KopsYamlDocument, splitKopsDocuments } from './kops-yaml.js';

/** One manifest file's text and a name for it in messages (a path, `-` for stdin). */
export interface ManifestFile {
  source: string;
  text: string;
}

/** One document of the manifests, as a plan records it: its text and where it came from. */
export interface PlanDocument {
  source: string;
  text: string;
}

export interface ManifestObject {
  name: string;
  source: string;
  doc: KopsYamlDocument;
}

/** What the manifests say one cluster should be. */
export interface ClusterManifests {
  cluster: string;
  /** Absent when the manifests hold no Cluster document (the stored one is then left as it is). */
  clusterDocument?: ManifestObject;
  instanceGroups: ManifestObject[];
  addons: { source: string; object: AddonObject }[];
  /** Every document, in order. */
  documents: PlanDocument[];
}

export interface ReadManifestsOptions {
  /** The cluster the manifests must describe (e.g. `--name`); every document must agree with it. */
  cluster?: string;
}

/** kops reads these API groups as its own. */
function isKopsApiVersion(apiVersion: unknown): boolean {
  return typeof apiVersion === 'string' && (apiVersion.startsWith('kops.k8s.io/') || apiVersion === 'kops/v1alpha2');
}

/** The documents of one file: YAML sections, and the items of a JSON (or YAML) list, each with its source. */
function documentsOf(file: ManifestFile): { source: string; doc: KopsYamlDocument }[] {
  const out: { source: string; doc: KopsYamlDocument }[] = [];
  for (const [i, section] of splitKopsDocuments(file.text).entries()) {
    const source = `${file.source} (document ${i + 1})`;
    const parsed = KopsYamlDocument.parse(section, source);
    const raw = parsed.doc.toJS({ maxAliasCount: 100 }) as unknown;
    const isJson = /^\s*[[{]/.test(section);
    if (Array.isArray(raw)) {
      raw.forEach((item, j) => {
        if (!item || typeof item !== 'object' || Array.isArray(item)) throw new InvalidConfigError(`${source}, item ${j + 1} is not an object; a manifest list holds kops and Kubernetes objects`, { url: file.source });
        out.push({ source: `${source}, item ${j + 1}`, doc: KopsYamlDocument.fromObject(item) });
      });
    } else if (raw && typeof raw === 'object') {
      // JSON is stored in kops's YAML form, never as flow-style YAML
      out.push({ source, doc: isJson ? KopsYamlDocument.fromObject(raw) : parsed });
    } else {
      throw new InvalidConfigError(`${source} is not an object; a manifest holds kops and Kubernetes objects`, { url: file.source });
    }
  }
  return out;
}

/**
 * Reads manifest files into the desired state of one cluster. The cluster is `options.cluster`, else the
 * Cluster document's name, else the `kops.k8s.io/cluster` label of the InstanceGroups; InvalidConfigError
 * naming the document when they disagree, when two documents describe the same object, or for a kind
 * plan/apply does not handle.
 */
export function readManifests(files: readonly ManifestFile[], options: ReadManifestsOptions = {}): ClusterManifests {
  const clusters: ManifestObject[] = [];
  const instanceGroups: ManifestObject[] = [];
  const addons: { source: string; object: AddonObject }[] = [];
  const documents: PlanDocument[] = [];
  const labelled: { cluster: string; source: string }[] = [];
  for (const file of files) {
    for (const { source, doc } of documentsOf(file)) {
      documents.push({ source, text: doc.toString() });
      const apiVersion = doc.apiVersion;
      const kind = doc.kind;
      if (!isKopsApiVersion(apiVersion)) {
        addons.push({ source, object: toAddonObject(doc, source) });
        continue;
      }
      const name = doc.name;
      if (kind !== 'Cluster' && kind !== 'InstanceGroup') {
        throw new InvalidConfigError(
          `${source}: kind ${JSON.stringify(kind ?? '')} is not handled by plan and apply, which take Cluster, InstanceGroup and addon objects (keys, secrets and SSH keys stay out of manifests)`,
          { url: file.source },
        );
      }
      if (!name) throw new InvalidConfigError(`${source}: the ${kind} has no metadata.name`, { url: file.source });
      // names become folders and files of the store: refuse what kops's validation would, before any path is built
      if (!isDns1123Subdomain(name)) throw new InvalidConfigError(`${source}: metadata.name: Invalid value: ${JSON.stringify(name)}: the ${kind} name must be a DNS-1123 subdomain (lower case letters, digits, '-' and '.')`, { url: file.source });
      if (kind === 'Cluster') clusters.push({ name, source, doc });
      else {
        instanceGroups.push({ name, source, doc });
        const label = doc.getIn(['metadata', 'labels', CLUSTER_LABEL]);
        if (typeof label === 'string' && label !== '') labelled.push({ cluster: label, source });
      }
    }
  }
  if (clusters.length > 1) {
    throw new InvalidConfigError(`the manifests hold ${clusters.length} Cluster documents (${clusters.map((c) => `${c.name} in ${c.source}`).join(', ')}); plan one cluster at a time`);
  }
  const clusterDocument = clusters[0];
  const cluster = options.cluster || clusterDocument?.name || labelled[0]?.cluster;
  if (cluster !== undefined && !isDns1123Subdomain(cluster)) throw new InvalidConfigError(`the cluster name ${JSON.stringify(cluster)} must be a DNS-1123 subdomain (lower case letters, digits, '-' and '.')`);
  if (!cluster) {
    throw new InvalidConfigError(`the manifests do not say which cluster they describe: add its Cluster document, the ${CLUSTER_LABEL} label on the InstanceGroups, or give the cluster name`);
  }
  if (clusterDocument && clusterDocument.name !== cluster) {
    throw new InvalidConfigError(`${clusterDocument.source}: the Cluster is ${clusterDocument.name}, but the manifests are applied to cluster ${cluster}`);
  }
  const stranger = labelled.find((l) => l.cluster !== cluster);
  if (stranger) throw new InvalidConfigError(`${stranger.source}: the InstanceGroup is labelled ${CLUSTER_LABEL}: ${stranger.cluster}, but the manifests describe cluster ${cluster}`);
  assertUnique(instanceGroups.map((g) => ({ id: g.name, label: `InstanceGroup ${g.name}`, source: g.source })));
  assertUnique(addons.map((a) => ({ id: a.object.id, label: a.object.label, source: a.source })));
  return { cluster, ...(clusterDocument ? { clusterDocument } : {}), instanceGroups, addons, documents };
}

function assertUnique(items: readonly { id: string; label: string; source: string }[]): void {
  const seen = new Map<string, string>();
  for (const item of items) {
    const first = seen.get(item.id);
    if (first) throw new InvalidConfigError(`${item.label} appears twice in the manifests (${first} and ${item.source}); keep one`);
    seen.set(item.id, item.source);
  }
}
