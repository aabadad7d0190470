/** Kubernetes plumbing every process shares: one error mapping, one kubeconfig loader, pooled connections, the CRD install. */
export { mapKubeError, statusOf, statusReason, isNotFound, isAlreadyExists, retryAfterMs } from "./errors.js";
export { loadKubeConfig } from "./kubeconfig.js";
export { poolKubeConnections, RESPONSE_HEADERS_TIMEOUT_MS, type PooledKubeConfig } from "./dispatcher.js";
export { applyCrd, crdObject, type ApplyCrdOptions } from "./crd-install.js";
