import type { Progress, TaskResult } from "../../lib/task-contract/index.js";

/** Progress and results that tasks report through Redis (the task contract, lib/task-contract). */
export interface ProgressReader {
  progress(uid: string): Promise<Progress | undefined>;
  result(uid: string, attempt: number): Promise<TaskResult | undefined>;
}
