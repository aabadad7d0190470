import { z } from "zod";
import { TerminalError } from "../errors/index.js";
import { LIMIT_ENV, taskLimitsSchema, type TaskLimitName, type TaskLimits } from "./limits.js";
import { taskSpecSchema, type TaskSpec, type TaskSpecInput } from "./spec.js";

/**
 * The environment the transcoder task gets, identical for the ECS task and the local child process. It carries
 * no AWS keys: on ECS the task role provides credentials; locally the child inherits the launcher's AWS_* env,
 * which is outside this contract.
 */
const nonEmpty = z.string().min(1);
const boolString = z.enum(["true", "false"]);

export const taskEnvSchema = z.object({
  TJ_JOB_UID: nonEmpty,
  TJ_JOB_NAMESPACE: nonEmpty,
  TJ_JOB_NAME: nonEmpty,
  TJ_ATTEMPT: z.string().regex(/^[1-9][0-9]{0,3}$/, "a positive integer"),
  TJ_SOURCE_BUCKET: nonEmpty,
  TJ_SOURCE_KEY: nonEmpty,
  /** Optional: pin the source object version. */
  TJ_SOURCE_VERSION_ID: nonEmpty.optional(),
  TJ_OUTPUT_BUCKET: nonEmpty,
  /** Key prefix of every output; normalised to end with "/". */
  TJ_OUTPUT_PREFIX: z.string(),
  /** JSON of the spec subset (ladder, formats, thumbnails, encoding, deleteSourceOnSuccess). */
  TJ_SPEC: nonEmpty,
  TJ_REDIS_URL: z.string().regex(/^rediss?:\/\//, "a redis:// or rediss:// URL"),
  /** Non-AWS S3 (MinIO in tests and the embedded mode). */
  TJ_S3_ENDPOINT: z.url().optional(),
  TJ_S3_FORCE_PATH_STYLE: boolString.optional(),
  AWS_REGION: nonEmpty,
  /** Optional scratch directory (default: the OS temp dir). */
  TJ_WORK_DIR: nonEmpty.optional(),
  TJ_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
});
export type TaskEnvRecord = z.infer<typeof taskEnvSchema>;

/** The optional limit variables (LIMIT_ENV): decimal numbers; an absent one takes its default from limits.ts. */
const limitText = z.string().regex(/^[0-9]+(\.[0-9]+)?$/, "a non-negative decimal number").optional();
const limitEnvSchema = z.object(Object.fromEntries(Object.values(LIMIT_ENV).map((name) => [name, limitText])));

/** The decoded, typed task input. */
export interface TaskInput {
  job: { uid: string; namespace: string; name: string };
  attempt: number;
  source: { bucket: string; key: string; versionId?: string | undefined };
  output: { bucket: string; prefix: string };
  spec: TaskSpec;
  redisUrl: string;
  region: string;
  s3?: { endpoint: string; forcePathStyle: boolean } | undefined;
  /** Every limit, defaults applied. */
  limits: TaskLimits;
  workDir?: string | undefined;
  logLevel?: TaskEnvRecord["TJ_LOG_LEVEL"];
}

/** What a launcher passes to encodeTaskEnv: like TaskInput, but the spec and the limits may omit defaults. */
export type TaskInputDraft = Omit<TaskInput, "spec" | "limits"> & {
  spec: TaskSpecInput;
  limits?: Partial<TaskLimits> | undefined;
};

/** The output prefix as the task uses it (TJ_OUTPUT_PREFIX): no leading "/", a trailing "/" unless empty. */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}

/** Builds the env record for a task. Throws TerminalError if the input could never be decoded again. */
export function encodeTaskEnv(input: TaskInputDraft): Record<string, string> {
  const spec = taskSpecSchema.safeParse(input.spec);
  if (!spec.success) throw new TerminalError(`invalid task spec: ${z.prettifyError(spec.error)}`, "InvalidSpec");
  const env: Record<string, string> = {
    TJ_JOB_UID: input.job.uid,
    TJ_JOB_NAMESPACE: input.job.namespace,
    TJ_JOB_NAME: input.job.name,
    TJ_ATTEMPT: String(input.attempt),
    TJ_SOURCE_BUCKET: input.source.bucket,
    TJ_SOURCE_KEY: input.source.key,
    TJ_OUTPUT_BUCKET: input.output.bucket,
    TJ_OUTPUT_PREFIX: normalisePrefix(input.output.prefix),
    TJ_SPEC: JSON.stringify(spec.data),
    TJ_REDIS_URL: input.redisUrl,
    AWS_REGION: input.region,
  };
  if (input.source.versionId !== undefined) env.TJ_SOURCE_VERSION_ID = input.source.versionId;
  if (input.s3 !== undefined) {
    env.TJ_S3_ENDPOINT = input.s3.endpoint;
    env.TJ_S3_FORCE_PATH_STYLE = String(input.s3.forcePathStyle);
  }
  for (const [name, value] of Object.entries(input.limits ?? {}))
    if (value !== undefined) env[LIMIT_ENV[name as TaskLimitName]] = String(value);
  if (input.workDir !== undefined) env.TJ_WORK_DIR = input.workDir;
  if (input.logLevel !== undefined) env.TJ_LOG_LEVEL = input.logLevel;
  // Round-trip once so a launcher can never start a task that would reject its own env.
  decodeTaskEnv(env);
  return env;
}

/**
 * Reads and validates the task env (unknown variables are ignored). Throws TerminalError with reason
 * "InvalidTaskEnv" naming every bad variable: a task with a bad env must not be retried.
 */
export function decodeTaskEnv(env: Record<string, string | undefined>): TaskInput {
  const parsed = taskEnvSchema.safeParse(env);
  if (!parsed.success) throw new TerminalError(`invalid task env: ${z.prettifyError(parsed.error)}`, "InvalidTaskEnv");
  const e = parsed.data;
  const limits = decodeLimits(env);
  let specJson: unknown;
  try {
    specJson = JSON.parse(e.TJ_SPEC);
  } catch {
    throw new TerminalError("invalid task env: TJ_SPEC is not JSON", "InvalidTaskEnv");
  }
  const spec = taskSpecSchema.safeParse(specJson);
  if (!spec.success)
    throw new TerminalError(`invalid task env: TJ_SPEC: ${z.prettifyError(spec.error)}`, "InvalidTaskEnv");
  return {
    job: { uid: e.TJ_JOB_UID, namespace: e.TJ_JOB_NAMESPACE, name: e.TJ_JOB_NAME },
    attempt: Number(e.TJ_ATTEMPT),
    source: { bucket: e.TJ_SOURCE_BUCKET, key: e.TJ_SOURCE_KEY, versionId: e.TJ_SOURCE_VERSION_ID },
    output: { bucket: e.TJ_OUTPUT_BUCKET, prefix: normalisePrefix(e.TJ_OUTPUT_PREFIX) },
    spec: spec.data,
    redisUrl: e.TJ_REDIS_URL,
    region: e.AWS_REGION,
    s3:
      e.TJ_S3_ENDPOINT === undefined
        ? undefined
        : { endpoint: e.TJ_S3_ENDPOINT, forcePathStyle: e.TJ_S3_FORCE_PATH_STYLE !== "false" },
    limits,
    workDir: e.TJ_WORK_DIR,
    logLevel: e.TJ_LOG_LEVEL,
  };
}

function decodeLimits(env: Record<string, string | undefined>): TaskLimits {
  const text = limitEnvSchema.safeParse(env);
  if (!text.success) throw new TerminalError(`invalid task env: ${z.prettifyError(text.error)}`, "InvalidTaskEnv");
  const values: Partial<Record<TaskLimitName, number>> = {};
  for (const [name, envName] of Object.entries(LIMIT_ENV) as [TaskLimitName, string][]) {
    const raw = text.data[envName];
    if (raw !== undefined) values[name] = Number(raw);
  }
  const limits = taskLimitsSchema.safeParse(values);
  if (!limits.success) {
    const bad = limits.error.issues.map((i) => `${LIMIT_ENV[i.path[0] as TaskLimitName]}: ${i.message}`);
    throw new TerminalError(`invalid task env: ${bad.join("; ")}`, "InvalidTaskEnv");
  }
  return limits.data;
}

/** The names of every variable the contract defines (a launcher passes exactly these, no more). */
export const TASK_ENV_NAMES: readonly string[] = [...Object.keys(taskEnvSchema.shape), ...Object.values(LIMIT_ENV)];
