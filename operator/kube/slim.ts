import type { KubeObject } from "./types.js";

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
