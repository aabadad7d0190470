/** The operator's pure decisions: phase machine, admission order (and its index), retry backoff. */
export { reconcile } from "./reconcile.js";
export { observationPlan, type ObservationPlan } from "./observe.js";
export { admissionOrder, isWaiting, retryAt, RETRY_REASON, toMillis } from "./admission.js";
export { AdmissionQueue } from "./admission-queue.js";
export { orphanedHolders } from "./orphans.js";
export { retryDelayMs } from "./backoff.js";
export { setCondition, getCondition } from "./conditions.js";
export { DEFAULT_RECONCILE_OPTIONS, type ReconcileOptions, type Observed, type Action, type RecordPhaseAction, type Decision } from "./types.js";
