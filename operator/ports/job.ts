/**
 * The TranscodeJob as the operator core sees it: the types of crds/ (the one vocabulary of phases, conditions,
 * task refs and outputs), with metadata narrowed to what the operator reads, so that a TranscodeJob from the
 * apiserver can be passed where a JobObject is expected.
 */
import type { KubeObject } from "../../lib/kube/index.js";
import { FINAL_PHASES, Phase, type Condition as CrdCondition, type ConditionType as CrdConditionType, type TaskRef as CrdTaskRef, type TranscodeJobSpecInput, type TranscodeJobStatus } from "../../crds/index.js";

export const PHASES = Phase.options;
export type JobPhase = Phase;
export { FINAL_PHASES };

export type ConditionType = CrdConditionType;
export type Condition = CrdCondition;
export type TaskRef = CrdTaskRef;
/** What the operator writes; attempts is defaulted by the apiserver, so a status being built may lack it. */
export type JobStatus = Partial<TranscodeJobStatus>;
export type JobSpec = TranscodeJobSpecInput;

export interface JobObject extends KubeObject {
  metadata?: KubeObject["metadata"] & {
    generation?: number;
    creationTimestamp?: Date | string;
    deletionTimestamp?: Date | string;
    labels?: Record<string, string>;
  };
  spec: JobSpec;
  status?: JobStatus;
}
