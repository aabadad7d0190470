/**
 * The TranscodeJob as the operator core sees it. These are structural subsets of the crds/ types (contract 1),
 * so a TranscodeJob from the apiserver can be passed where a JobObject is expected.
 */
import type { TaskOutputs } from "../../lib/task-contract/index.js";

export const PHASES = ["Pending", "Queued", "Starting", "Running", "Succeeded", "Failed", "Cancelled"] as const;
export type JobPhase = (typeof PHASES)[number];
export const FINAL_PHASES: readonly JobPhase[] = ["Succeeded", "Failed", "Cancelled"];

export type ConditionType = "Admitted" | "Running" | "Complete" | "Failed";

export interface Condition {
  type: ConditionType | (string & {});
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface TaskRef {
  launcher: "ecs" | "local";
  id: string;
  attempt: number;
}

export interface JobStatus {
  phase?: JobPhase;
  conditions?: Condition[];
  progress?: { percent: number; stage: string };
  queuePosition?: number;
  attempts?: number;
  taskRef?: TaskRef;
  startedAt?: string;
  completedAt?: string;
  outputs?: TaskOutputs;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export interface JobSpec {
  source: { bucket: string; key: string; versionId?: string };
  output: { bucket: string; prefix: string };
  ladder?: unknown;
  formats?: string[];
  thumbnails?: boolean;
  encoding?: unknown;
  priority?: number;
  owner?: string;
  deleteSourceOnSuccess?: boolean;
  maxAttempts?: number;
  activeDeadlineSeconds?: number;
  suspend?: boolean;
}

export interface JobObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: Date | string;
    deletionTimestamp?: Date | string;
    finalizers?: string[];
    labels?: Record<string, string>;
  };
  spec: JobSpec;
  status?: JobStatus;
}
