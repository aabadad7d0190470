/**
 * The task contract: what the operator's launchers give the transcoder task and what the task reports back.
 * Env in, exit code + Redis progress/result out. See README.md in this folder.
 */
export { EXIT_OK, EXIT_BAD_INPUT, EXIT_RETRYABLE, isRetryableExit, type TaskExitCode } from "./exit-codes.js";
export {
  taskEnvSchema,
  encodeTaskEnv,
  decodeTaskEnv,
  TASK_ENV_NAMES,
  normalisePrefix as normaliseOutputPrefix,
  type TaskEnvRecord,
  type TaskInput,
  type TaskInputDraft,
} from "./env.js";
export {
  taskLimitsSchema,
  DEFAULT_TASK_LIMITS,
  LIMIT_ENV,
  X264_PRESET_COST,
  wallClockBudgetSeconds,
  type TaskLimits,
  type TaskLimitName,
  type TranscodeWork,
} from "./limits.js";
export {
  taskSpecSchema,
  ladderSchema,
  encodingSchema,
  renditionRequestSchema,
  ladderRungs,
  LADDER_PRESETS,
  X264_PRESETS,
  DEFAULT_X264_PRESET,
  type TaskSpec,
  type TaskSpecInput,
  type Ladder,
  type Encoding,
  type RenditionRequest,
  type LadderPresetName,
} from "./spec.js";
export {
  progressKey,
  progressChannel,
  resultKey,
  PROGRESS_KEY_PATTERN,
  RESULT_KEY_PATTERN,
  RESULTS_CHANNEL,
  parseResultNotice,
  type ResultNotice,
  RESULT_TTL_SECONDS,
  PROGRESS_STAGES,
  progressSchema,
  PROGRESS_HEARTBEAT_MS,
  parseProgress,
  type Progress,
  type ProgressStage,
} from "./redis-keys.js";
export { writeResult } from "./write-result.js";
export {
  taskResultSchema,
  taskOutputsSchema,
  outputRenditionSchema,
  parseTaskResult,
  type TaskResult,
  type TaskOutputs,
  type OutputRendition,
} from "./result.js";
