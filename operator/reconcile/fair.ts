import type { JobObject } from "../ports/index.js";

/**
 * Fair admission: the vocabulary shared by the pure reference order (admission.ts), the index (admission-queue.ts)
 * and the usage ledger (usage.ts). Pure: no clock, no I/O.
 */

export type AdmissionPolicyKind = "fair" | "fifo";

export interface AdmissionPolicy {
  /** fair: within a priority level, the owner with the least recent usage first; fifo: creation order. */
  kind: AdmissionPolicyKind;
  /** Most jobs of one owner holding slots at once; undefined: no limit (the cluster cap only). */
  maxRunningPerOwner?: number | undefined;
  /** Overrides of maxRunningPerOwner by the job's namespace. */
  maxRunningByNamespace?: Readonly<Record<string, number>> | undefined;
}

export const FIFO_POLICY: AdmissionPolicy = { kind: "fifo" };

/**
 * Who a job's slot-time is charged to: its spec.owner (a user of the API) within the job's namespace, or, for a job
 * made without one (kubectl, not on a user's behalf), its namespace as a whole. A user is counted per namespace:
 * the API makes its jobs in one namespace, and two tenants' namespaces never share usage or limits.
 */
export function ownerKey(job: JobObject): string {
  return ownerKeyOf(job.metadata?.namespace ?? "", job.spec.owner);
}

/** The same key from a job record's namespace and owner (null or absent: none). */
export function ownerKeyOf(namespace: string, owner: string | null | undefined): string {
  return typeof owner === "string" && owner !== "" ? `user:${namespace}/${owner}` : `namespace:${namespace}`;
}

/** The bounded label of an owner for metrics: an API user or a namespace's kubectl-made jobs. */
export type OwnerClass = "api" | "kubectl";
export function ownerClass(key: string): OwnerClass {
  return key.startsWith("user:") ? "api" : "kubectl";
}

/** The running limit that applies to a job of `namespace`; undefined when none does. */
export function ownerLimit(policy: AdmissionPolicy, namespace: string): number | undefined {
  return policy.maxRunningByNamespace?.[namespace] ?? policy.maxRunningPerOwner;
}

/**
 * What the admission order looks at besides the jobs: slots each owner holds now and each owner's score (the
 * fair policy's sort key, lower first). A snapshot: the controller takes a new one when the slot table changes.
 */
export interface UsageView {
  running(owner: string): number;
  score(owner: string): number;
}

export const NO_USAGE: UsageView = { running: () => 0, score: () => 0 };

/** Where a waiting job stands: its 0-based rank among admissible jobs, or held back by its owner's limit. */
export type QueuePlace = { rank: number } | { ownerLimit: number };
