/** The operator's runtime wiring, shared by operator/main.ts and the integration tests. */
export { Operator, type OperatorOptions } from "./operator.js";
export { runOperator, type RunningOperator } from "./run.js";
