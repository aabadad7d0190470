/**
 * Kubernetes plumbing every process shares: one error mapping, one kubeconfig loader, pooled connections, the CRD
 * install, object keys, the list+watch informer and the read-your-own-writes layer over it.
 */
export { mapKubeError, statusOf, statusReason, isNotFound, isAlreadyExists, retryAfterMs } from "./errors.js";
export { loadKubeConfig } from "./kubeconfig.js";
export { poolKubeConnections, RESPONSE_HEADERS_TIMEOUT_MS, type PooledKubeConfig } from "./dispatcher.js";
export { applyCrd, applyTenancyBinding, crdObject, tenancyPolicyObject, type ApplyCrdOptions } from "./crd-install.js";
export { objectKey, keyOf, splitKey, withoutManagedFields, revisionOf, type KubeObject, type ObjectKey } from "./objects.js";
export { jitteredBackoffMs } from "./backoff.js";
export type { Informer, InformerEvent, InformerHandler, InformerOptions } from "./informer-types.js";
export { createInformer, ListWatchInformer } from "./informer.js";
export { createTranscodeJobInformer } from "./transcode-job-informer.js";
export { OwnWrites, type OwnWritesOptions } from "./own-writes.js";
