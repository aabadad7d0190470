/**
 * The least every apiserver caller needs of an object, and the one key function. Looser than client-node's
 * KubeObject on purpose: zod-typed resources (crds/) carry timestamps as string | Date.
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    finalizers?: string[];
  };
}

/** "namespace/name" (or "name" for a cluster-scoped object): what caches, indexes and workqueues hold. */
export type ObjectKey = string;

/** "namespace/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKeyFunc). */
export function objectKey(namespace: string | undefined, name: string): ObjectKey {
  return namespace ? `${namespace}/${name}` : name;
}

export function keyOf(obj: KubeObject): ObjectKey {
  return objectKey(obj.metadata?.namespace, obj.metadata?.name ?? "");
}

export function splitKey(key: ObjectKey): { namespace: string | undefined; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * Drops metadata.managedFields from an object about to be kept (controller-runtime's
 * TransformStripManagedFields): server-side apply bookkeeping nobody here reads, and a large share of each
 * object once several managers have written it. Mutates and returns `obj`.
 */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  const meta = obj.metadata as { managedFields?: unknown } | undefined;
  if (meta?.managedFields !== undefined) delete meta.managedFields;
  return obj;
}

/** resourceVersions are etcd revisions in every apiserver we know; anything else is not compared. */
export function revisionOf(obj: KubeObject | undefined): bigint | undefined {
  const rv = obj?.metadata?.resourceVersion;
  return rv !== undefined && /^[0-9]{1,19}$/.test(rv) ? BigInt(rv) : undefined;
}
