/** The operator core's ports: everything the reconciler touches sits behind one of these. */
export { PHASES, FINAL_PHASES, type JobPhase, type Condition, type ConditionType, type TaskRef, type JobStatus, type JobSpec, type JobObject } from "./job.js";
export type { JobCluster, JobLister, JobEvent } from "./cluster.js";
export { isActive } from "./launcher.js";
export type { TaskLauncher, LaunchRequest, TaskState } from "./launcher.js";
export type { ProgressReader } from "./progress.js";
export type { Clock } from "../../lib/clock.js";
export type { JobStore, Slots, ClaimHint, JobRecord, NewJobRecord, PhaseEntry, PhaseUpdate, SlotHolder, StoredTaskRef, JobQuery } from "../../lib/store/index.js";
