/** The operator's pure decisions: phase machine, admission order (and its index), retry backoff. */
export { OWNER_LIMIT_REASON, reconcile } from "./reconcile.js";
export { observationPlan, type ObservationPlan } from "./observe.js";
export { admissionOrder, admissionPlaces, isCandidate, isWaiting, retryAt, RETRY_REASON, toMillis } from "./admission.js";
export { FIFO_POLICY, NO_USAGE, ownerClass, ownerKey, ownerKeyOf, ownerLimit, type AdmissionPolicy, type AdmissionPolicyKind, type OwnerClass, type QueuePlace, type UsageView } from "./fair.js";
export { UsageLedger, usageIntervals } from "./usage.js";
export { AdmissionQueue } from "./admission-queue.js";
export { orphanedHolders } from "./orphans.js";
export { retryDelayMs } from "./backoff.js";
export { setCondition, getCondition } from "./conditions.js";
export { DEFAULT_RECONCILE_OPTIONS, type ReconcileOptions, type Observed, type Action, type RecordPhaseAction, type Decision } from "./types.js";
