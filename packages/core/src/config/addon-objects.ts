/**
 * A cluster's addon objects (kops's "additional objects", vfsAddonsClient): arbitrary Kubernetes objects kept
 * in `{store}/{cluster}/clusteraddons/default` and printed by `get all`. This file owns how they are read
 * (multi-document YAML), identified (apiVersion, kind, namespace and name, as kops's `replace` matches them),
 * merged with the ones a manifest gives (matched ones replaced in place, new ones appended, the rest kept
 * unless pruned), validated (kops's ValidateAdditionalObject) and written as kops writes the file: each object
 * in kops's YAML form, joined by `\n---\n\n`, and 0 bytes when there are none.
 */
import { InvalidConfigError } from '../errors/errors.js';
import { diffValues, type ObjectDiff } from './object-diff.js';
import { KopsYamlDocument, joinKopsDocuments, splitKopsDocuments, stringifyKopsObject } from './kops-yaml.js';

/** One addon object with the identity kops matches it by. */
export interface AddonObject {
  /** `apiVersion kind namespace/name`: what kops's replace matches on. */
  id: string;
  /** For people: `Kind namespace/name`. */
  label: string;
  value: Record<string, unknown>;
  doc: KopsYamlDocument;
}

function metadataOf(value: Record<string, unknown>): Record<string, unknown> {
  const m = value.metadata;
  return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
}

/** An addon object from its parsed document; InvalidConfigError naming `source` when it has no kind or name. */
export function toAddonObject(doc: KopsYamlDocument, source: string): AddonObject {
  const value = doc.toJS();
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : '';
  const kind = typeof value.kind === 'string' ? value.kind : '';
  const meta = metadataOf(value);
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  if (!apiVersion || !kind || !name) {
    throw new InvalidConfigError(`${source}: an addon object needs apiVersion, kind and metadata.name; fix the document and try again`, { url: source });
  }
  const qualified = namespace ? `${namespace}/${name}` : name;
  return { id: `${apiVersion} ${kind} ${qualified}`, label: `${kind} ${qualified}`, value, doc };
}

/** The objects of a `clusteraddons/default` file, in order (empty sections skipped, as kops skips them). */
export function parseAddonObjects(text: string, source: string): AddonObject[] {
  return splitKopsDocuments(text).map((section, i) => toAddonObject(KopsYamlDocument.parse(section, `${source} (document ${i + 1})`), `${source} (document ${i + 1})`));
}

/** The file kops writes for these objects (vfsAddonsClient.Replace): '' for none. */
export function serializeAddonObjects(objects: readonly AddonObject[]): string {
  const texts = objects.filter((o) => Object.keys(o.value).length > 0).map((o) => stringifyKopsObject(o.value));
  return texts.length === 0 ? '' : joinKopsDocuments(texts);
}

/** kops's ValidateAdditionalObject: a KubeSchedulerConfiguration must not set the kubeconfig kops controls. */
export function addonObjectErrors(object: AddonObject): string[] {
  const { apiVersion, kind } = object.value as { apiVersion?: unknown; kind?: unknown };
  if (kind !== 'KubeSchedulerConfiguration' || typeof apiVersion !== 'string' || !apiVersion.startsWith('kubescheduler.config.k8s.io/')) return [];
  const connection = object.value.clientConnection as { kubeconfig?: unknown } | undefined;
  const kubeconfig = connection?.kubeconfig;
  if (typeof kubeconfig === 'string' && kubeconfig !== '') {
    return [`addons[kind=${kind}][name=${String(metadataOf(object.value).name)}].clientConnection.kubeconfig: Invalid value: ${JSON.stringify(kubeconfig)}: value is controlled by kOps and should not be set`];
  }
  return [];
}

/** What the addons file should hold after a manifest's objects are applied, and the object-level differences. */
export interface MergedAddonObjects {
  objects: AddonObject[];
  diffs: ObjectDiff[];
}

/**
 * The stored objects with the desired ones applied as kops's `replace` applies them (a matching object is
 * replaced where it stands, a new one appended in manifest order); stored objects no manifest names are kept,
 * or removed when `prune` is set. An object whose value is unchanged keeps its stored form.
 */
export function mergeAddonObjects(stored: readonly AddonObject[], desired: readonly AddonObject[], prune: boolean): MergedAddonObjects {
  const wanted = new Map(desired.map((o) => [o.id, o]));
  const objects: AddonObject[] = [];
  const diffs: ObjectDiff[] = [];
  for (const current of stored) {
    const next = wanted.get(current.id);
    if (!next) {
      if (prune) diffs.push({ object: current.label, kind: 'removed', changes: [] });
      else objects.push(current);
      continue;
    }
    const changes = diffValues(current.value, next.value, '');
    objects.push(changes.length > 0 ? next : current);
    if (changes.length > 0) diffs.push({ object: current.label, kind: 'changed', changes });
  }
  const storedIds = new Set(stored.map((o) => o.id));
  for (const next of desired) {
    if (storedIds.has(next.id)) continue;
    objects.push(next);
    diffs.push({ object: next.label, kind: 'added', changes: [] });
  }
  return { objects, diffs };
}
