import type { JobObject } from "../ports/index.js";
import { retryDelayMs } from "./backoff.js";
import { getCondition } from "./conditions.js";
import type { ReconcileOptions } from "./types.js";

/** Reason of the Running condition after a failed attempt that will be retried; its transition time starts the backoff. */
export const RETRY_REASON = "RetryableFailure";

export function toMillis(t: Date | string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** When a job that failed a retryable attempt may be launched again; undefined when it is not waiting on a retry. */
export function retryAt(job: JobObject, opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">): number | undefined {
  const attempts = job.status?.attempts ?? 0;
  const running = getCondition(job.status?.conditions, "Running");
  if (attempts <= 0 || running?.status !== "False" || running.reason !== RETRY_REASON) return undefined;
  const since = toMillis(running.lastTransitionTime);
  if (since === undefined) return undefined;
  return since + retryDelayMs(attempts, opts.backoffBaseMs, opts.backoffMaxMs);
}

/** Whether the job is waiting for a slot right now (so it takes a place in the queue). */
export function isWaiting(
  job: JobObject,
  holders: ReadonlySet<string>,
  now: number,
  opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">,
): boolean {
  const uid = job.metadata?.uid;
  if (!uid || job.metadata?.deletionTimestamp || holders.has(uid)) return false;
  const phase = job.status?.phase ?? "Pending";
  if (phase !== "Pending" && phase !== "Queued") return false;
  if (job.spec.suspend === true) return false;
  const at = retryAt(job, opts);
  return at === undefined || at <= now;
}

/**
 * The admission order: higher priority first, then earlier creation (FIFO), then name for a stable order.
 * Returns the uids of waiting jobs, head first.
 */
export function admissionOrder(
  jobs: readonly JobObject[],
  holders: ReadonlySet<string>,
  now: number,
  opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">,
): string[] {
  // Sort keys are computed once per job, not per comparison: the queue can hold thousands of jobs.
  const waiting = jobs
    .filter((j) => isWaiting(j, holders, now, opts))
    .map((j) => ({
      uid: j.metadata?.uid ?? "",
      priority: j.spec.priority ?? 0,
      created: toMillis(j.metadata?.creationTimestamp) ?? 0,
      key: `${j.metadata?.namespace ?? ""}/${j.metadata?.name ?? ""}`,
    }));
  waiting.sort((a, b) => b.priority - a.priority || a.created - b.created || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return waiting.map((w) => w.uid);
}
