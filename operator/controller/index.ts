/** The reconcile runner and its wiring helpers. */
export { Controller, type AdmissionSettings, type ControllerDeps } from "./controller.js";
export { execute, statusMergePatch, type ExecutorDeps, type ExecutionResult } from "./executor.js";
export { operatorMetrics, type OperatorMetrics } from "./metrics.js";
export { taskEnvFor, type TaskEnvSettings } from "./task-env.js";
