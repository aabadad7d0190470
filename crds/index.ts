// The public surface of the TranscodeJob API. Import from "crds/index.js" only.
export {
  GROUP,
  VERSION,
  API_VERSION,
  KIND,
  LIST_KIND,
  PLURAL,
  SINGULAR,
  SHORT_NAMES,
  CATEGORIES,
  CRD_NAME,
  FINALIZER,
  OWNER_LABEL,
  FILENAME_ANNOTATION,
  MAX_RENDITIONS,
  MIN_HEIGHT,
  MAX_HEIGHT,
  MAX_NAME_LENGTH,
} from "./constants.js";
export { LADDER_PRESETS, DEFAULT_PRESET, DEFAULT_X264_PRESET, FORMATS, X264_PRESETS, LadderPresetName, OutputFormat, X264Preset } from "./ladder.js";
export {
  TranscodeJobSpec,
  type TranscodeJobSpecInput,
  SourceRef,
  OutputRef,
  Rendition,
  Ladder,
  Encoding,
  MUTABLE_SPEC_FIELDS,
} from "./spec.js";
export {
  TranscodeJobStatus,
  type TranscodeJobStatusInput,
  Phase,
  FINAL_PHASES,
  isFinalPhase,
  ConditionType,
  Condition,
  Progress,
  TaskRef,
  Outputs,
  RenditionOutput,
} from "./status.js";
export { TranscodeJob, type TranscodeJobInput, ObjectMeta } from "./transcode-job.js";
export {
  parseSpec,
  parseStatus,
  parseTranscodeJob,
  checkSpecUpdate,
  formatIssues,
  formatPath,
  friendlyMessages,
  pruneNulls,
  type FieldIssue,
  type ParseResult,
} from "./parse.js";
export { formatDuration, jobDuration } from "./duration.js";
export { newTranscodeJob, sourceFilename, type NewJob, type NewJobResult } from "./new-job.js";
export {
  checkTenancy,
  tenancyViolation,
  tenantOf,
  tenantName,
  sourcePrefixOf,
  outputPrefixOf,
  isUnderPrefix,
  policyProblems,
  TENANCY_RULES,
  type TenancyPolicy,
  type TenancySubject,
  type Tenant,
} from "./tenancy.js";
