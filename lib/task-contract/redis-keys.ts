import { z } from "zod";

/** Hash with fields attempt, percent, stage, updatedAt: the latest progress of the current attempt. */
export function progressKey(uid: string): string {
  return `tj:progress:${uid}`;
}
/** Pub/sub channel; each message is the JSON of the progress hash. Same string as the key (different namespaces). */
export function progressChannel(uid: string): string {
  return `tj:progress:${uid}`;
}
/** JSON string matching taskResultSchema; written once at the end of an attempt. */
export function resultKey(uid: string, attempt: number): string {
  return `tj:result:${uid}:${attempt}`;
}
/**
 * Redis ACL glob patterns of every job's progress key (and channel) and result key: what the task's credential
 * may write and the operator's may read (lib/redis-acl). A task cannot be limited to its own job's keys by a static
 * ACL user; the operator validates what it reads back instead (operator/reconcile, docs/security.md).
 */
export const PROGRESS_KEY_PATTERN = progressKey("*");
export const RESULT_KEY_PATTERN = "tj:result:*";
/**
 * Pub/sub channel on which a task announces that its result is written: a message is the JSON of
 * {uid, attempt}. The operator subscribes so that a finished attempt frees its slot at once instead of on the next
 * poll; the poll stays the safety net for a message lost while the operator was disconnected.
 */
export const RESULTS_CHANNEL = "tj:results";
export const resultNoticeSchema = z.object({ uid: z.string().min(1), attempt: z.number().int().min(1) });
export type ResultNotice = z.infer<typeof resultNoticeSchema>;

/** Parses a RESULTS_CHANNEL message; undefined when malformed. */
export function parseResultNotice(raw: string): ResultNotice | undefined {
  try {
    const parsed = resultNoticeSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Results and progress expire after 7 days: the operator copies them into the CR status and MongoDB long before. */
export const RESULT_TTL_SECONDS = 7 * 24 * 3600;

export const PROGRESS_STAGES = ["downloading", "probing", "transcoding", "uploading", "finalizing", "done"] as const;
export type ProgressStage = (typeof PROGRESS_STAGES)[number];

/**
 * A task re-sends its latest progress at least this often, even when nothing moved (a heartbeat): the operator's
 * stall watchdog (TASK_STALL_TIMEOUT_SECONDS) takes a long silence for a wedged or cut-off task.
 */
export const PROGRESS_HEARTBEAT_MS = 30_000;

export const progressSchema = z.object({
  attempt: z.coerce.number().int().min(1),
  percent: z.coerce.number().min(0).max(100),
  stage: z.enum(PROGRESS_STAGES),
  /** ISO-8601 */
  updatedAt: z.string(),
});
export type Progress = z.infer<typeof progressSchema>;

/** Parses the hash (HGETALL, all strings) or a pub/sub message's JSON; undefined when absent or malformed. */
export function parseProgress(raw: Record<string, unknown> | string | null | undefined): Progress | undefined {
  if (raw === null || raw === undefined) return undefined;
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  const parsed = progressSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
