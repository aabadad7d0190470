import { encodeTaskEnv, type TaskLimits } from "../../lib/task-contract/index.js";
import type { JobObject } from "../ports/index.js";

/** What every task gets besides its job: where Redis and S3 are. No AWS credentials (the task contract). */
export interface TaskEnvSettings {
  /**
   * The tasks' own Redis URL (their ACL user, never the operator's), for a launcher that passes it in the env (the
   * local child). Undefined when the launcher's task definition supplies TJ_REDIS_URL from a secret (ECS): the env
   * then carries none, and the operator never holds the tasks' credential.
   */
  redisUrl: string | undefined;
  region: string;
  s3?: { endpoint: string; forcePathStyle: boolean } | undefined;
  /** The bounds every attempt runs under (the operator's configuration; unset ones take the contract's defaults). */
  limits?: Partial<TaskLimits> | undefined;
}

/** Stands in for a TJ_REDIS_URL given by reference while the contract's encoder checks its output; removed after. */
const BY_REFERENCE = "redis://by-reference.invalid";

/** The task contract's env for one attempt of a job. Throws TerminalError when the spec cannot be encoded. */
export function taskEnvFor(job: JobObject, attempt: number, settings: TaskEnvSettings): Record<string, string> {
  const s = job.spec;
  const env = encodeTaskEnv({
    job: { uid: job.metadata?.uid ?? "", namespace: job.metadata?.namespace ?? "", name: job.metadata?.name ?? "" },
    attempt,
    source: { bucket: s.source.bucket, key: s.source.key, ...(s.source.versionId ? { versionId: s.source.versionId } : {}) },
    output: { bucket: s.output.bucket, prefix: s.output.prefix },
    spec: {
      ...(s.ladder !== undefined ? { ladder: s.ladder } : {}),
      ...(s.formats !== undefined ? { formats: s.formats } : {}),
      ...(s.thumbnails !== undefined ? { thumbnails: s.thumbnails } : {}),
      ...(s.encoding !== undefined ? { encoding: s.encoding } : {}),
      ...(s.deleteSourceOnSuccess !== undefined ? { deleteSourceOnSuccess: s.deleteSourceOnSuccess } : {}),
    },
    redisUrl: settings.redisUrl ?? BY_REFERENCE,
    region: settings.region,
    s3: settings.s3,
    limits: settings.limits,
  });
  if (settings.redisUrl === undefined) delete env.TJ_REDIS_URL;
  return env;
}
